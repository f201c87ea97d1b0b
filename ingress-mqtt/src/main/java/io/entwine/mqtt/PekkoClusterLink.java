package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.ingress.SessionRequests;
import io.entwine.ingress.Timestamps;
import io.entwine.live.ConnectionRecorder;
import io.entwine.live.LiveFeed;
import io.entwine.live.LiveMessage;
import io.entwine.mqtt.mgmt.ManagementAccess;
import io.entwine.mqtt.mgmt.PekkoManagementAccess;
import io.entwine.protocol.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The cluster side of MQTT connections on Pekko: one {@link ConnectionActor} per connection, the
 * sharded {@link ClientSession} per client id, the twins' command queues and the organizations'
 * {@link LiveFeed}.
 */
public final class PekkoClusterLink implements ClusterLink {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final SessionRequests twins;
  private final LiveFeed feed;
  private final Duration askTimeout;
  private final Duration refresh;
  private final AtomicLong connections = new AtomicLong();
  private final ManagementAccess management;
  private final ConnectionRecorder connectionRecorder;

  public PekkoClusterLink(
      ActorSystem<?> system,
      Duration askTimeout,
      Duration twinAttachRefresh,
      OfflineBuffer.Limits offlineSessions,
      ConnectionRecorder connectionRecorder) {
    this.system = system;
    this.connectionRecorder = connectionRecorder;
    this.sharding = ClusterSharding.get(system);
    this.feed = LiveFeed.get(system);
    this.askTimeout = askTimeout;
    this.twins = new SessionRequests(system, askTimeout);
    this.refresh = twinAttachRefresh;
    ClientSession.init(system, offlineSessions);
    this.management = new PekkoManagementAccess(system, askTimeout, twinAttachRefresh);
  }

  @Override
  public Optional<ManagementAccess> management() {
    return Optional.of(management);
  }

  @Override
  public Link open(String clientId, Listener listener) {
    ActorRef<Object> actor =
        system.systemActorOf(
            ConnectionActor.create(listener, twins, refresh),
            "mqtt-"
                + connections.incrementAndGet()
                + "-"
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8),
            Props.empty());
    return new PekkoLink(clientId, actor);
  }

  private final class PekkoLink implements Link {
    private final EntityRef<ClientSession.Command> session;
    private final ActorRef<Object> actor;

    PekkoLink(String clientId, ActorRef<Object> actor) {
      this.session = sharding.entityRefFor(ClientSession.ENTITY_KEY, clientId);
      this.actor = actor;
    }

    @Override
    public CompletionStage<StoredSession> claim(boolean cleanSession) {
      return session
          .<ClientSession.Claimed>ask(
              replyTo ->
                  new ClientSession.Claim(actor.narrow(), cleanSession, Timestamps.now(), replyTo),
              askTimeout)
          .thenApply(
              claimed -> new StoredSession(claimed.sessionPresent(), claimed.subscriptions()));
    }

    @Override
    public CompletionStage<Reply> storeSubscription(String filter, int qos) {
      return session.ask(
          replyTo -> new ClientSession.Subscribe(actor.narrow(), filter, qos, replyTo), askTimeout);
    }

    @Override
    public CompletionStage<Reply> removeSubscription(String filter) {
      return session.ask(
          replyTo -> new ClientSession.Unsubscribe(actor.narrow(), filter, replyTo), askTimeout);
    }

    @Override
    public void release(List<ClusterLink.BufferedMessage> owed) {
      session.tell(new ClientSession.Release(actor.narrow(), owed));
    }

    @Override
    public void watch(String org) {
      feed.subscribe(org, actor.narrow());
    }

    @Override
    public void unwatch(String org) {
      feed.unsubscribe(org, actor.narrow());
    }

    @Override
    public CompletionStage<Reply> attach(DeviceKey device, boolean deliverWaiting) {
      CompletionStage<Reply> attached = twins.attach(device, actor.narrow(), deliverWaiting);
      actor.tell(new ConnectionActor.KeepAttached(device, deliverWaiting));
      return attached;
    }

    @Override
    public void detach(DeviceKey device) {
      actor.tell(ConnectionActor.Local.STOP_ATTACHING);
      twins.detach(device, actor.narrow());
    }

    @Override
    public void confirmDelivered(DeviceKey device, String commandId) {
      twins.confirmDelivered(device, commandId);
    }

    @Override
    public void publish(LiveMessage message) {
      feed.publish(message);
      if (message instanceof LiveMessage.DeviceStatus
          || message instanceof LiveMessage.ApplicationStatus) {
        connectionRecorder.record(message);
      }
    }

    @Override
    public void close() {
      actor.tell(ConnectionActor.Local.STOP);
    }
  }
}
