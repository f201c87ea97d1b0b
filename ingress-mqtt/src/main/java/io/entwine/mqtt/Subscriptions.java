package io.entwine.mqtt;

import static io.entwine.mqtt.TwinCalls.call;
import static io.entwine.mqtt.TwinCalls.describe;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Reply;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE of one connection, once accepted: the session's filters, what they
 * start in the cluster (a device or gateway attached to its twin for its commands — a gateway's
 * twin passes it those of the devices it acts for — an application watching its organization's live
 * feed), a persistent session's filters stored in its {@link ClientSession}, and SUBACK/UNSUBACK
 * sent in arrival order, each only once what it acknowledges is stored. Confined to the
 * connection's event loop, except {@link #selects}.
 */
final class Subscriptions {
  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

  private static final class ControlAck {
    final Runnable send;
    boolean done;

    ControlAck(Runnable send) {
      this.send = send;
    }
  }

  private final MqttEndpoint endpoint;
  private final MqttSession session;
  private final ClusterLink.Link link;
  private final Outbox outbox;
  private final ConnectionControl connection;
  private final int maxSubscriptions;
  private final Runnable deltaSubscribed;

  /**
   * SUBACKs and UNSUBACKs waiting for what they acknowledge to be stored, in arrival order; two
   * slots to start, as an idle connection keeps it empty (docs/adr/0075).
   */
  private final ArrayDeque<ControlAck> controlAcks = new ArrayDeque<>(1);

  /** The filters of the live subscriptions, read by the cluster's threads to skip the hop. */
  private volatile List<Topics.Filter> liveFilters = List.of();

  private boolean attached;
  private boolean watching;

  Subscriptions(
      MqttEndpoint endpoint,
      MqttSession session,
      ClusterLink.Link link,
      Outbox outbox,
      ConnectionControl connection,
      int maxSubscriptions,
      Runnable deltaSubscribed) {
    this.endpoint = endpoint;
    this.session = session;
    this.link = link;
    this.outbox = outbox;
    this.connection = connection;
    this.maxSubscriptions = maxSubscriptions;
    this.deltaSubscribed = deltaSubscribed;
  }

  /** True when a live subscription selects {@code message}; any thread. */
  boolean selects(LiveMessage message) {
    for (Topics.Filter filter : liveFilters) {
      if (Topics.matches(filter, message)) {
        return true;
      }
    }
    return false;
  }

  /** A persistent session's subscriptions, as if the client had sent them again. */
  void restore(List<ClusterLink.StoredSubscription> stored) {
    List<CompletionStage<Reply>> work = new ArrayList<>();
    for (ClusterLink.StoredSubscription subscription : stored) {
      MqttQoS qos = MqttQoS.valueOf(subscription.qos());
      if (subscribe(subscription.filter(), qos, false, work) == MqttQoS.FAILURE) {
        log.info(
            "MQTT {}: stored subscription '{}' dropped", session.clientId(), subscription.filter());
      }
    }
    afterStored(work, () -> {});
  }

  void onSubscribe(MqttSubscribeMessage subscribe) {
    List<MqttQoS> granted = new ArrayList<>(subscribe.topicSubscriptions().size());
    List<CompletionStage<Reply>> work = new ArrayList<>();
    for (MqttTopicSubscription subscription : subscribe.topicSubscriptions()) {
      granted.add(subscribe(subscription.topicName(), subscription.qualityOfService(), true, work));
    }
    afterStored(work, () -> endpoint.subscribeAcknowledge(subscribe.messageId(), granted));
  }

  /**
   * Adds a subscription and starts what it needs (the twin for commands and the state delta, with
   * the current delta, the live feed for applications); {@code store} keeps it in a persistent
   * session. The calls to wait for before acknowledging are added to {@code work}.
   */
  private MqttQoS subscribe(
      String filter, MqttQoS requested, boolean store, List<CompletionStage<Reply>> work) {
    Topics.Filter parsed =
        session.isDevice()
            ? Topics.deviceSubscription(filter)
            : session.isGateway()
                ? GatewayTopics.subscription(
                    ((MqttSession.GatewayPrincipal) session.principal()).gateway(), filter)
                : Topics.applicationSubscription(filter);
    if (parsed instanceof Topics.Invalid invalid) {
      log.info(
          "MQTT {}: refused subscription to '{}': {}",
          session.clientId(),
          filter,
          invalid.reason());
      return MqttQoS.FAILURE;
    }
    MqttSession.Subscription subscription = new MqttSession.Subscription(filter, parsed, requested);
    if (!session.subscribe(subscription, maxSubscriptions)) {
      log.info(
          "MQTT {}: refused subscription to '{}': {} subscriptions is the limit",
          session.clientId(),
          filter,
          maxSubscriptions);
      return MqttQoS.FAILURE;
    }
    if (store && !session.cleanSession()) {
      work.add(call(() -> link.storeSubscription(filter, requested.value())));
    }
    if ((parsed instanceof Topics.StateRejectedFilter && session.isDevice())
        || parsed instanceof Topics.ManagementFilter
        || parsed instanceof GatewayTopics.NotifyFilter) {
      // rejections, management requests and notifications are this connection's own, not the
      // twin's or the feed's
      return requested;
    }
    DeviceKey twin = session.principal().twin();
    if (twin != null) {
      if (parsed instanceof Topics.StateDeltaFilter) {
        deltaSubscribed.run();
      }
      if (!attached) {
        attached = true;
        // A persistent session takes the commands queued while it was away (MQTT 3.1.1: messages
        // for a clean session's subscriptions are only those published while it is connected).
        boolean deliverWaiting = !session.cleanSession();
        work.add(call(() -> link.attach(twin, deliverWaiting)));
      }
    } else {
      updateLiveFilters();
      if (!watching) {
        watching = true;
        link.watch(session.principal().org());
      }
    }
    return requested;
  }

  void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
    List<CompletionStage<Reply>> work = new ArrayList<>();
    for (String filter : unsubscribe.topics()) {
      if (session.unsubscribe(filter)) {
        outbox.remove(filter);
        if (!session.cleanSession()) {
          work.add(call(() -> link.removeSubscription(filter)));
        }
      }
    }
    DeviceKey twin = session.principal().twin();
    if (twin != null) {
      if (attached && !session.takesFromTwin()) {
        attached = false;
        link.detach(twin);
      }
    } else {
      updateLiveFilters();
      if (watching && session.subscriptions().isEmpty()) {
        watching = false;
        link.unwatch(session.principal().org());
      }
    }
    afterStored(work, () -> endpoint.unsubscribeAcknowledge(unsubscribe.messageId()));
  }

  /** The connection closed: a device or gateway stops taking its twin's commands. */
  void detachOnClose() {
    if (attached) {
      link.detach(session.principal().twin());
    }
    controlAcks.clear();
  }

  private void updateLiveFilters() {
    liveFilters =
        session.subscriptions().values().stream().map(MqttSession.Subscription::parsed).toList();
  }

  /**
   * Sends {@code ack} once every call in {@code work} answered Done, after the acknowledgements
   * queued before it; a failure closes the connection (the session could not be kept).
   */
  private void afterStored(List<CompletionStage<Reply>> work, Runnable ack) {
    ControlAck entry = new ControlAck(ack);
    controlAcks.addLast(entry);
    if (work.isEmpty()) {
      entry.done = true;
      flushControlAcks();
      return;
    }
    CompletableFuture<?>[] all =
        work.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(all)
        .whenComplete(
            (done, failure) -> connection.onEventLoop(() -> onStored(entry, all, failure)));
  }

  private void onStored(ControlAck entry, CompletableFuture<?>[] work, Throwable failure) {
    if (connection.isClosing()) {
      return;
    }
    if (failure != null) {
      connection.disconnect("the session could not be kept: " + describe(failure));
      return;
    }
    for (CompletableFuture<?> call : work) {
      if (!(call.join() instanceof Reply.Done)) {
        connection.disconnect("the session could not be kept: " + call.join());
        return;
      }
    }
    entry.done = true;
    flushControlAcks();
  }

  private void flushControlAcks() {
    while (!connection.isClosing() && !controlAcks.isEmpty() && controlAcks.peekFirst().done) {
      controlAcks.pollFirst().send.run();
    }
  }
}
