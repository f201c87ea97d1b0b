package io.entwine.deploy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Whether the node has started everything it serves with: every shard region and every listener.
 * Pekko Management starts first (cluster bootstrap needs it), so without this its {@code /ready}
 * would tell a load balancer to send traffic to a node whose ports do not accept yet.
 */
public final class NodeStartup implements Extension {
  private static final ExtensionId<NodeStartup> ID =
      new ExtensionId<>() {
        @Override
        public NodeStartup createExtension(org.apache.pekko.actor.typed.ActorSystem<?> system) {
          return new NodeStartup();
        }
      };

  private final CompletableFuture<Boolean> serving = new CompletableFuture<>();

  private NodeStartup() {}

  public static NodeStartup get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Called once every shard region is started and every listener accepts. */
  public void serving() {
    serving.complete(true);
  }

  public boolean isServing() {
    return serving.isDone();
  }

  /** The readiness check {@code entwine-started} of the management endpoint's {@code /ready}. */
  public static final class Readiness implements Supplier<CompletionStage<Boolean>> {
    private final NodeStartup startup;

    public Readiness(ActorSystem system) {
      this.startup = NodeStartup.get(Adapter.toTyped(system));
    }

    @Override
    public CompletionStage<Boolean> get() {
      return CompletableFuture.completedFuture(startup.isServing());
    }
  }
}
