package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.ingress.SessionRequests;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import java.time.Duration;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One MQTT connection's address in the cluster: the organization's live feed, the device's twin and
 * the client id's {@link ClientSession} send here, and everything is handed to the connection
 * (which brings it onto its Vert.x event loop). While attached to a twin it re-attaches every
 * {@code twin-attach-refresh}, so the twin stays resident and a twin that restarted elsewhere knows
 * the device again. Stopping it ends its live-feed subscription (the topic watches it).
 *
 * <p>One object per connection, dispatching on the message's class: a behaviour built with {@code
 * Behaviors.receive} and {@code withTimers} carried a case and a lambda per message type and a
 * timer scheduler in every connection (docs/adr/0059).
 */
final class ConnectionActor extends ExtensibleBehavior<Object> {
  /** Keep re-attaching to {@code device}'s twin. Local only. */
  record KeepAttached(DeviceKey device, boolean deliverWaiting) {}

  enum Local {
    STOP_ATTACHING,
    STOP
  }

  /** Re-attach now, if {@code keep} is still what the connection keeps attached. */
  private record Reattach(KeepAttached keep) {}

  private final ClusterLink.Listener listener;
  private final SessionRequests twins;
  private final Duration refresh;
  // What the connection keeps attached, and the next re-attachment; null while nothing is.
  private KeepAttached attached;
  private Cancellable nextReattach;

  private ConnectionActor(ClusterLink.Listener listener, SessionRequests twins, Duration refresh) {
    this.listener = listener;
    this.twins = twins;
    this.refresh = refresh;
  }

  static Behavior<Object> create(
      ClusterLink.Listener listener, SessionRequests twins, Duration refresh) {
    return new ConnectionActor(listener, twins, refresh);
  }

  @Override
  public Behavior<Object> receive(TypedActorContext<Object> context, Object message) {
    if (message instanceof LiveMessage live) {
      listener.onLive(live);
    } else if (message instanceof TwinCommand.DeliverCommand command) {
      listener.onCommand(command);
    } else if (message instanceof TwinCommand.DeliverStateDelta delta) {
      listener.onStateDelta(delta);
    } else if (message instanceof ClientSession.TakenOver) {
      listener.onTakenOver();
    } else if (message instanceof ClientSession.Backlog backlog) {
      listener.onBacklog(backlog.messages());
    } else if (message instanceof KeepAttached keep) {
      stopAttaching();
      attached = keep;
      scheduleReattach(context, keep);
    } else if (message instanceof Reattach reattach) {
      // a re-attachment of an earlier round that was already on its way is dropped
      if (reattach.keep() == attached) {
        ActorRef<Object> self = context.asJava().getSelf();
        twins.attach(attached.device(), self.narrow(), attached.deliverWaiting(), self.narrow());
        scheduleReattach(context, attached);
      }
    } else if (message == Local.STOP_ATTACHING) {
      stopAttaching();
    } else if (message == Local.STOP) {
      stopAttaching();
      return Behaviors.stopped();
    } else if (!(message instanceof Reply)) {
      return Behaviors.unhandled();
    }
    return this;
  }

  @Override
  public Behavior<Object> receiveSignal(TypedActorContext<Object> context, Signal signal) {
    if (signal instanceof PostStop) {
      stopAttaching();
    }
    return this;
  }

  private void scheduleReattach(TypedActorContext<Object> context, KeepAttached keep) {
    nextReattach =
        context.asJava().scheduleOnce(refresh, context.asJava().getSelf(), new Reattach(keep));
  }

  private void stopAttaching() {
    if (nextReattach != null) {
      nextReattach.cancel();
      nextReattach = null;
    }
    attached = null;
  }
}
