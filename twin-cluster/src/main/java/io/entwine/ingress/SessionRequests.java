package io.entwine.ingress;

import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinCommand;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * What an MQTT connection asks of its device's twin: to push commands to the connection's session
 * actor, to stop, and that a pushed command was delivered. Apart from {@link TwinGateway} because
 * the connection's side holds no gateway, and these carry no device secret to verify.
 */
public final class SessionRequests {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public SessionRequests(ActorSystem<?> system, Duration askTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  /**
   * Makes {@code session} the session the twin pushes the device's commands and state deltas to
   * ({@code deliverWaiting}: also those that wait already), answering when the twin took it.
   */
  public CompletionStage<Reply> attach(
      DeviceKey device, ActorRef<TwinCommand.ToDevice> session, boolean deliverWaiting) {
    return twin(device)
        .ask(
            replyTo -> new TwinCommand.AttachSession(session, deliverWaiting, replyTo), askTimeout);
  }

  /**
   * As {@link #attach(DeviceKey, ActorRef, boolean)}, the twin's answer going to {@code replyTo}.
   */
  public void attach(
      DeviceKey device,
      ActorRef<TwinCommand.ToDevice> session,
      boolean deliverWaiting,
      ActorRef<Reply> replyTo) {
    twin(device).tell(new TwinCommand.AttachSession(session, deliverWaiting, replyTo));
  }

  /** The twin stops pushing commands to {@code session}; nobody is answered. */
  public void detach(DeviceKey device, ActorRef<TwinCommand.ToDevice> session) {
    // ignoreRef resolves on any node: the connection may be gone when the twin answers
    twin(device).tell(new TwinCommand.DetachSession(session, system.ignoreRef()));
  }

  /** Records command {@code commandId} as delivered to the device; nobody is answered. */
  public void confirmDelivered(DeviceKey device, String commandId) {
    twin(device)
        .tell(new TwinCommand.ConfirmDelivered(commandId, Timestamps.now(), system.ignoreRef()));
  }

  private EntityRef<TwinCommand> twin(DeviceKey device) {
    return sharding.entityRefFor(DeviceTwin.ENTITY_KEY, device.entityId());
  }
}
