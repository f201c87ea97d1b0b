package io.entwine.mqtt;

import io.entwine.twin.TwinCommand;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/** An edge class as the architecture rule must refuse it: it builds a twin command itself. */
public final class BuildsATwinCommand {
  private BuildsATwinCommand() {}

  public static Function<ActorRef<io.entwine.protocol.Reply>, TwinCommand> get() {
    return TwinCommand.Get::new;
  }
}
