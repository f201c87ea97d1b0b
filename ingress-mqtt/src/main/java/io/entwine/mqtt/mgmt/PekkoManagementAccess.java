package io.entwine.mqtt.mgmt;

import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ManagedDevice;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.protocol.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * {@link ManagementAccess} on Pekko: one small actor per managed device's connection takes the
 * entity's requests and hands them to the connection, and tells the entity where it is every {@code
 * refresh}, so an entity that restarted or moved finds the device again.
 */
public final class PekkoManagementAccess implements ManagementAccess {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Duration refresh;
  private final AtomicLong sessions = new AtomicLong();

  public PekkoManagementAccess(ActorSystem<?> system, Duration askTimeout, Duration refresh) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.refresh = refresh;
  }

  @Override
  public Session open(DeviceKey device, Consumer<ToDevice> toDevice) {
    EntityRef<ManagedDeviceProtocol.Command> entity =
        sharding.entityRefFor(ManagedDevice.ENTITY_KEY, device.entityId());
    ActorRef<Object> actor =
        system.systemActorOf(
            forwarder(entity, toDevice),
            "dm-"
                + sessions.incrementAndGet()
                + "-"
                + URLEncoder.encode(device.entityId(), StandardCharsets.UTF_8),
            Props.empty());
    return new Session() {
      @Override
      public ActorRef<ToDevice> address() {
        return actor.narrow();
      }

      @Override
      public CompletionStage<Reply> ask(
          Function<ActorRef<Reply>, ManagedDeviceProtocol.Command> command) {
        return entity.ask(command::apply, askTimeout);
      }

      @Override
      public void close() {
        actor.tell(Stop.STOP);
      }
    };
  }

  private enum Stop {
    STOP
  }

  private enum Refresh {
    REFRESH
  }

  private Behavior<Object> forwarder(
      EntityRef<ManagedDeviceProtocol.Command> entity, Consumer<ToDevice> toDevice) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Refresh.REFRESH, refresh);
                  return Behaviors.receive(Object.class)
                      .onMessage(
                          ToDevice.class,
                          message -> {
                            toDevice.accept(message);
                            return Behaviors.same();
                          })
                      .onMessageEquals(
                          Refresh.REFRESH,
                          () -> {
                            entity.tell(
                                new ManagedDeviceProtocol.Attach(context.getSelf().narrow()));
                            return Behaviors.same();
                          })
                      .onMessageEquals(Stop.STOP, Behaviors::stopped)
                      .build();
                }));
  }
}
