package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.ingress.SessionRequests;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One MQTT connection's address in the cluster: the organization's live feed, the device's twin and
 * the client id's {@link ClientSession} send here, and everything is handed to the connection
 * (which brings it onto its Vert.x event loop). While attached to a twin it re-attaches every
 * {@code twin-attach-refresh}, so the twin stays resident and a twin that restarted elsewhere knows
 * the device again. Stopping it ends its live-feed subscription (the topic watches it).
 */
final class ConnectionActor {
  /** Keep re-attaching to {@code device}'s twin. Local only. */
  record KeepAttached(DeviceKey device, boolean deliverWaiting) {}

  enum Local {
    STOP_ATTACHING,
    STOP
  }

  private static final String REFRESH = "refresh";

  private ConnectionActor() {}

  static Behavior<Object> create(
      ClusterLink.Listener listener, SessionRequests twins, Duration refresh) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  ActorRef<Object> self = context.getSelf();
                  return Behaviors.receive(Object.class)
                      .onMessage(
                          LiveMessage.class,
                          message -> {
                            listener.onLive(message);
                            return Behaviors.same();
                          })
                      .onMessage(
                          TwinCommand.DeliverCommand.class,
                          command -> {
                            listener.onCommand(command);
                            return Behaviors.same();
                          })
                      .onMessage(
                          TwinCommand.DeliverStateDelta.class,
                          delta -> {
                            listener.onStateDelta(delta);
                            return Behaviors.same();
                          })
                      .onMessage(
                          ClientSession.TakenOver.class,
                          takenOver -> {
                            listener.onTakenOver();
                            return Behaviors.same();
                          })
                      .onMessage(
                          ClientSession.Backlog.class,
                          backlog -> {
                            listener.onBacklog(backlog.messages());
                            return Behaviors.same();
                          })
                      .onMessage(
                          KeepAttached.class,
                          keep -> {
                            timers.startTimerWithFixedDelay(REFRESH, new Reattach(keep), refresh);
                            return Behaviors.same();
                          })
                      .onMessage(
                          Reattach.class,
                          reattach -> {
                            twins.attach(
                                reattach.keep().device(),
                                self.narrow(),
                                reattach.keep().deliverWaiting(),
                                self.narrow());
                            return Behaviors.same();
                          })
                      .onMessage(Reply.class, reply -> Behaviors.same())
                      .onMessageEquals(
                          Local.STOP_ATTACHING,
                          () -> {
                            timers.cancel(REFRESH);
                            return Behaviors.same();
                          })
                      .onMessageEquals(Local.STOP, Behaviors::stopped)
                      .build();
                }));
  }

  private record Reattach(KeepAttached keep) {}
}
