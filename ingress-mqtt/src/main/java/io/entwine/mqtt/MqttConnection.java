package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.live.LiveMessage;
import io.entwine.mqtt.MqttSession.ApplicationPrincipal;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, from CONNECT to close, with IBM IoT Foundation semantics. Everything here
 * runs on the connection's Vert.x event loop; replies and messages from the cluster are brought
 * back to it, so the state needs no locks and nothing blocks.
 *
 * <p>CONNECT: credentials checked by the twin (device) or organization (application) → the client
 * id's cluster-wide {@link ClientSession} claimed (which closes any other connection of it, on any
 * node, and returns a persistent session's subscriptions) → CONNACK → a {@code Connect} status
 * message.
 *
 * <p>A PUBLISH is: checked (size, topic allowed for this client, JSON) → recorded as an event or
 * queued as a command through {@link TwinAccess} → acknowledged (PUBACK for QoS 1, PUBREC for QoS
 * 2) once the twin answered, in the order the packets arrived. At most {@code
 * max-in-flight-per-connection} are asked at once; when that many are open the socket is not read
 * until half of them completed. Anything the client may not do closes the connection (MQTT 3.1.1
 * has no negative acknowledgement).
 *
 * <p>Delivery: a device with a command subscription is attached to its twin, which sends it its
 * commands; an application with subscriptions watches its organization's live feed. Both go through
 * the {@link Outbox} (a bounded buffer per subscription, QoS 1/2 tracked to the client's
 * acknowledgement).
 */
final class MqttConnection implements ClusterLink.Listener {
  static final String DEVICE_USERNAME = "use-token-auth";

  /** QoS 2 packet ids acknowledged with PUBREC whose PUBREL has not arrived yet, at most. */
  static final int MAX_UNRELEASED_QOS2 = 1024;

  /** Command ids a connection remembers having been handed, so a re-attach sends none twice. */
  static final int REMEMBERED_COMMANDS = 1024;

  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

  private final MqttEndpoint endpoint;
  private final Context context;
  private final String listener;
  private final MqttSettings settings;
  private final TwinAccess twins;
  private final ClusterLink cluster;
  private final ConnectionRegistry registry;
  private final BooleanSupplier nodeStopping;
  private final String clientId;
  private final String remote;
  private final String peerHost;
  private final int localPort;
  private final boolean ssl;

  private boolean counted;
  private boolean accepted;
  private boolean closing;
  private boolean closed;
  private boolean disconnectReceived;
  private String statusReason;
  private MqttSession session;
  private SocketReads reads;
  private ClusterLink.Link link;
  private ConnectionStatus.Connection statusInfo;
  private WireCounter counter;
  private Outbox outbox;
  private long publishesRead;
  private long connectBytes;

  /** Accepted publishes in arrival order, until acknowledged. */
  private final ArrayDeque<InFlight> window = new ArrayDeque<>();

  /** Publishes in the window not yet handed to the twins. */
  private final ArrayDeque<InFlight> waiting = new ArrayDeque<>();

  private final Set<Integer> qos2InWindow = new HashSet<>();
  private final Set<Integer> qos2Unreleased = new HashSet<>();
  private final List<ClusterLink.BufferedMessage> earlyBacklog = new ArrayList<>();
  private int asked;
  private boolean ownEventsOutstanding;

  /** SUBACKs and UNSUBACKs waiting for what they acknowledge to be stored, in arrival order. */
  private final ArrayDeque<ControlAck> controlAcks = new ArrayDeque<>();

  /** The filters of the live subscriptions, read by the cluster's threads to skip the hop. */
  private volatile List<Topics.Filter> liveFilters = List.of();

  // read and written on the event loop, and by publishWill after the close
  private volatile ParsedTopic lastTopic;

  private boolean attached;
  private boolean watching;
  private final LinkedHashSet<String> commandsSeen = new LinkedHashSet<>();

  private static final class InFlight {
    final int messageId;
    final MqttQoS qos;
    final Supplier<CompletionStage<Reply>> action;

    /** The device's own event (batched with the ones behind it), or null. */
    final DeviceMessage ownEvent;

    boolean recorded;

    InFlight(int messageId, MqttQoS qos, Intake intake) {
      this.messageId = messageId;
      this.qos = qos;
      this.action = intake.action();
      this.ownEvent = intake.ownEvent();
    }
  }

  private static final class ControlAck {
    final Runnable send;
    boolean done;

    ControlAck(Runnable send) {
      this.send = send;
    }
  }

  MqttConnection(
      MqttEndpoint endpoint,
      Context context,
      String listener,
      MqttSettings settings,
      TwinAccess twins,
      ClusterLink cluster,
      ConnectionRegistry registry,
      BooleanSupplier nodeStopping) {
    this.endpoint = endpoint;
    this.context = context;
    this.listener = listener;
    this.settings = settings;
    this.twins = twins;
    this.cluster = cluster;
    this.registry = registry;
    this.nodeStopping = nodeStopping;
    this.clientId = endpoint.clientIdentifier();
    this.remote = String.valueOf(endpoint.remoteAddress());
    // read while the endpoint is open: Vert.x closes it on a protocol error (a second CONNECT)
    // while the credentials are being checked, and its address getters throw from then on
    SocketAddress peer = endpoint.remoteAddress();
    this.peerHost =
        peer == null ? "" : peer.hostAddress() != null ? peer.hostAddress() : peer.host();
    SocketAddress local = endpoint.localAddress();
    this.localPort = local == null ? 0 : local.port();
    this.ssl = endpoint.isSsl();
  }

  /** The session once authenticated (empty while CONNECT is being checked). */
  Optional<MqttSession> session() {
    return Optional.ofNullable(session);
  }

  // ---- CONNECT ----

  void start() {
    endpoint.publishAutoAck(false);
    endpoint.subscriptionAutoAck(false);
    endpoint.closeHandler(v -> onClosed());
    endpoint.disconnectHandler(v -> disconnectReceived = true);
    endpoint.exceptionHandler(this::onException);
    endpoint.publishHandler(this::onPublish);
    endpoint.publishReleaseHandler(this::onPublishRelease);
    endpoint.subscribeHandler(this::onSubscribe);
    endpoint.unsubscribeHandler(this::onUnsubscribe);
    endpoint.publishAcknowledgeHandler(id -> withOutbox(outbox -> outbox.onPubAck(id)));
    endpoint.publishReceivedHandler(id -> withOutbox(outbox -> outbox.onPubRec(id)));
    endpoint.publishCompletionHandler(id -> withOutbox(outbox -> outbox.onPubComp(id)));

    if (!registry.tryOpen()) {
      refuse(
          MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "this node already serves " + settings.maxConnections() + " connections");
      return;
    }
    counted = true;
    int version = endpoint.protocolVersion();
    if (version != 3 && version != 4) {
      refuse(
          version == 5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION
              : MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
          "only MQTT 3.1.1 and 3.1 are served, not protocol level " + version);
      return;
    }
    ClientIds.ClientId id = ClientIds.parse(clientId);
    if (id instanceof ClientIds.Invalid invalid) {
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, invalid.reason());
      return;
    }
    MqttAuth auth = endpoint.auth();
    if (auth == null || auth.getUsername() == null || auth.getPassword() == null) {
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "no username or password");
      return;
    }
    MqttWill will = endpoint.will();
    boolean hasWill = will != null && will.isWillFlag();
    connectBytes =
        WireCounter.connectPacketBytes(
            version,
            clientId,
            hasWill ? will.getWillTopic() : null,
            hasWill ? will.getWillMessageBytes() : null,
            auth.getUsername(),
            auth.getPassword());
    authenticate(id, auth.getUsername(), auth.getPassword());
  }

  private void authenticate(ClientIds.ClientId id, String username, String password) {
    MqttSession.Principal principal;
    CompletionStage<Reply> reply;
    if (id instanceof ClientIds.Device device) {
      if (!DEVICE_USERNAME.equals(username)) {
        refuse(
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
            "devices connect with username '" + DEVICE_USERNAME + "'");
        return;
      }
      principal = new DevicePrincipal(device.device(), password);
      reply =
          call(
              () ->
                  twins.authenticateDevice(
                      device.device(), password, peerHost.isEmpty() ? null : peerHost));
    } else {
      ClientIds.Application app = (ClientIds.Application) id;
      if (!Ids.organizationOfApiKey(username).map(app.org()::equals).orElse(false)) {
        refuse(
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
            "the username must be an API key of organization " + app.org());
        return;
      }
      principal = new ApplicationPrincipal(app.org(), app.appId(), username);
      reply =
          call(
              () ->
                  twins.authenticateApiKey(
                      app.org(), username, password, peerHost.isEmpty() ? null : peerHost));
    }
    reply.whenComplete(
        (answer, failure) ->
            onEventLoop(() -> onAuthenticated(principal, username, answer, failure)));
  }

  private void onAuthenticated(
      MqttSession.Principal principal, String username, Reply reply, Throwable failure) {
    if (closing) {
      return;
    }
    if (failure != null) {
      refuse(
          MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "credentials could not be checked: " + describe(failure));
      return;
    }
    if (reply instanceof Reply.Rejected rejected
        && (rejected.reason() == Rejection.LIMIT_EXCEEDED
            || rejected.reason() == Rejection.UNAVAILABLE)) {
      // too many failures from this address, or the slow-hash queue is full: a retry may pass
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, describe(reply));
      return;
    }
    if (!(reply instanceof Reply.Done)) {
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, describe(reply));
      return;
    }
    Instant connectedAt = Timestamps.now();
    session =
        new MqttSession(
            clientId,
            principal,
            endpoint.isCleanSession(),
            endpoint.protocolVersion(),
            connectedAt,
            will(endpoint.will()));
    statusInfo = statusInfo(username, connectedAt);
    reads = SocketReads.of(endpoint);
    link = cluster.open(clientId, this);
    CompletionStage<ClusterLink.StoredSession> claim;
    try {
      claim = link.claim(session.cleanSession());
    } catch (RuntimeException e) {
      claim = CompletableFuture.failedFuture(e);
    }
    claim.whenComplete((stored, error) -> onEventLoop(() -> onClaimed(stored, error)));
  }

  /** The client id is this connection's now (any other was told to close): CONNACK. */
  private void onClaimed(ClusterLink.StoredSession stored, Throwable failure) {
    if (closing) {
      return;
    }
    if (failure != null) {
      refuse(
          MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "the session could not be claimed: " + describe(failure));
      return;
    }
    // The ClientSession told any other holder of the client id to close, on whichever node; it is
    // the only arbiter, so two connections racing on this node cannot close each other.
    registry.register(clientId, this);
    counter = WireCounter.install(reads.channel(), connectBytes, () -> onEventLoop(this::drain));
    outbox =
        new Outbox(
            new EndpointWire(),
            settings.subscriptionBuffer(),
            settings.maxBufferedBytesPerConnection(),
            settings.maxInFlightDeliveries());
    endpoint.accept(stored.present());
    accepted = true;
    deliverBacklog(List.copyOf(earlyBacklog));
    earlyBacklog.clear();
    log.debug(
        "MQTT {} connected from {} (session present: {})", clientId, remote, stored.present());
    restore(stored.subscriptions());
    link.publish(ConnectionStatus.connected(session.principal(), statusInfo, Timestamps.now()));
  }

  /** A persistent session's subscriptions, as if the client had sent them again. */
  private void restore(List<ClusterLink.StoredSubscription> stored) {
    List<CompletionStage<Reply>> work = new ArrayList<>();
    for (ClusterLink.StoredSubscription subscription : stored) {
      MqttQoS qos = MqttQoS.valueOf(subscription.qos());
      if (subscribe(subscription.filter(), qos, false, work) == MqttQoS.FAILURE) {
        log.info("MQTT {}: stored subscription '{}' dropped", clientId, subscription.filter());
      }
    }
    afterStored(work, () -> {});
  }

  private ConnectionStatus.Connection statusInfo(String username, Instant connectedAt) {
    return new ConnectionStatus.Connection(
        clientId,
        peerHost,
        localPort,
        ConnectionStatus.protocol(endpoint.protocolVersion(), listener, ssl),
        username,
        connectedAt);
  }

  /** Another connection, on any node, claimed the client id (told by the {@link ClientSession}). */
  @Override
  public void onTakenOver() {
    onEventLoop(this::onTakenOverHere);
  }

  private void onTakenOverHere() {
    if (statusReason == null) {
      statusReason = ConnectionStatus.REASON_TAKEN_OVER;
    }
    disconnect("another connection took over client id " + clientId);
  }

  // ---- PUBLISH ----

  private void onPublish(MqttPublishMessage publish) {
    if (closing) {
      return;
    }
    publishesRead++;
    int messageId = publish.messageId();
    MqttQoS qos = publish.qosLevel();
    if (qos == MqttQoS.EXACTLY_ONCE) {
      if (qos2Unreleased.contains(messageId)) {
        endpoint.publishReceived(messageId); // our PUBREC was lost; recorded already
        return;
      }
      if (qos2InWindow.contains(messageId)) {
        return; // a resend while the first copy is being recorded; PUBREC follows it
      }
    }
    Intake intake = intake(publish.topicName(), publish.payload().getBytes(), qos);
    if (intake.refusal() != null) {
      disconnect(intake.refusal());
      return;
    }
    InFlight entry = new InFlight(messageId, qos, intake);
    window.addLast(entry);
    waiting.addLast(entry);
    if (qos == MqttQoS.EXACTLY_ONCE) {
      qos2InWindow.add(messageId);
    }
    askTwins();
    if (window.size() >= settings.maxInFlightPerConnection() && !reads.isPaused()) {
      reads.pause();
    }
  }

  /**
   * Hands waiting publishes to the twins. A device's own events all go to its one twin, which
   * persists one write at a time anyway: while one write is outstanding the next events wait, and
   * then go together as one write (DESIGN.md: ten events per write more than double the rate).
   */
  private void askTwins() {
    while (asked < settings.maxInFlightPerConnection() && !waiting.isEmpty()) {
      if (waiting.peekFirst().ownEvent != null) {
        if (ownEventsOutstanding) {
          return;
        }
        List<InFlight> batch = new ArrayList<>();
        while (!waiting.isEmpty()
            && waiting.peekFirst().ownEvent != null
            && batch.size() < settings.maxInFlightPerConnection()) {
          batch.add(waiting.pollFirst());
        }
        asked++;
        ownEventsOutstanding = true;
        call(() -> recordOwnEvents(batch))
            .whenComplete((reply, failure) -> onEventLoop(() -> onRecorded(batch, reply, failure)));
      } else {
        InFlight entry = waiting.pollFirst();
        asked++;
        call(entry.action)
            .whenComplete(
                (reply, failure) -> onEventLoop(() -> onRecorded(List.of(entry), reply, failure)));
      }
    }
  }

  private CompletionStage<Reply> recordOwnEvents(List<InFlight> batch) {
    if (batch.size() == 1) {
      return batch.get(0).action.get();
    }
    List<DeviceMessage> events = new ArrayList<>(batch.size());
    batch.forEach(entry -> events.add(entry.ownEvent));
    return twins.recordEvents(events, ((DevicePrincipal) session.principal()).token());
  }

  private void onRecorded(List<InFlight> entries, Reply reply, Throwable failure) {
    asked--;
    if (entries.get(0).ownEvent != null) {
      ownEventsOutstanding = false;
    }
    if (closing) {
      return;
    }
    if (failure != null) {
      disconnect("the message was not recorded: " + describe(failure));
      return;
    }
    if (!isAccepted(reply)) {
      disconnect("the message was refused: " + describe(reply));
      return;
    }
    entries.forEach(entry -> entry.recorded = true);
    while (!closing && !window.isEmpty() && window.peekFirst().recorded) {
      acknowledge(window.pollFirst());
    }
    if (closing) {
      return;
    }
    askTwins();
    if (reads.isPaused() && window.size() <= settings.maxInFlightPerConnection() / 2) {
      reads.resume();
    }
  }

  private static boolean isAccepted(Reply reply) {
    return reply instanceof Reply.Done || reply instanceof Reply.CommandAccepted;
  }

  private void acknowledge(InFlight entry) {
    if (!endpoint.isConnected()) {
      // The client sent DISCONNECT or its socket closed before the close handler ran: Vert.x
      // refuses writes then. An unacknowledged QoS 1/2 publish is resent by a client that returns.
      return;
    }
    if (entry.qos == MqttQoS.AT_LEAST_ONCE) {
      endpoint.publishAcknowledge(entry.messageId);
    } else if (entry.qos == MqttQoS.EXACTLY_ONCE) {
      qos2InWindow.remove(entry.messageId);
      if (qos2Unreleased.size() >= MAX_UNRELEASED_QOS2) {
        disconnect(MAX_UNRELEASED_QOS2 + " QoS 2 messages were never released (PUBREL)");
        return;
      }
      qos2Unreleased.add(entry.messageId);
      endpoint.publishReceived(entry.messageId);
    }
  }

  private void onPublishRelease(int messageId) {
    if (closing) {
      return;
    }
    qos2Unreleased.remove(messageId);
    endpoint.publishComplete(messageId);
  }

  private CompletionStage<Reply> record(DeviceMessage message) {
    if (session.principal() instanceof DevicePrincipal device) {
      return twins.recordEvent(message, device.token());
    }
    ApplicationPrincipal app = (ApplicationPrincipal) session.principal();
    return twins.recordApplicationEvent(message, app.apiKey());
  }

  /**
   * A publication this client may make, as the call that records it (an event) or queues it (a
   * command), or why not.
   */
  private record Intake(
      Supplier<CompletionStage<Reply>> action, String refusal, DeviceMessage ownEvent) {
    static Intake refused(String reason) {
      return new Intake(null, reason, null);
    }

    static Intake of(Supplier<CompletionStage<Reply>> action) {
      return new Intake(action, null, null);
    }
  }

  private Intake intake(String topic, byte[] payload, MqttQoS qos) {
    if (payload.length > settings.maxPayloadBytes()) {
      return Intake.refused(
          "a payload of "
              + payload.length
              + " bytes is over the limit of "
              + settings.maxPayloadBytes());
    }
    Topics.Publication publication = publicationOf(topic);
    DeviceKey device;
    String event;
    String format;
    if (publication instanceof Topics.DeviceEvent own) {
      device = ((DevicePrincipal) session.principal()).device();
      event = own.event();
      format = own.format();
    } else if (publication instanceof Topics.EventOnBehalf onBehalf) {
      device = new DeviceKey(session.principal().org(), onBehalf.type(), onBehalf.id());
      event = onBehalf.event();
      format = onBehalf.format();
    } else if (publication instanceof Topics.CommandTo command) {
      return commandIntake(topic, command, payload);
    } else {
      return Intake.refused(
          "may not publish to '" + topic + "': " + ((Topics.Invalid) publication).reason());
    }
    Payloads.Inspection inspection = Payloads.inspect(format, payload);
    if (!inspection.isValid()) {
      return Intake.refused("'" + topic + "': " + inspection.error());
    }
    Instant receivedAt = Timestamps.now();
    DeviceMessage message =
        new DeviceMessage(
            device,
            event,
            format,
            inspection.payload(),
            inspection.eventTime().orElse(receivedAt),
            receivedAt,
            "mqtt",
            qos.value());
    return new Intake(
        () -> record(message), null, publication instanceof Topics.DeviceEvent ? message : null);
  }

  /**
   * What publishing to {@code topic} means for this client. A device publishes to the same topic
   * again and again, so the last answer is kept: parsing and checking the topic of every message
   * took about 3 % of a node's CPU under QoS 0 load (docs/performance.md).
   */
  private Topics.Publication publicationOf(String topic) {
    ParsedTopic last = lastTopic;
    if (last != null && last.topic().equals(topic)) {
      return last.publication();
    }
    Topics.Publication publication =
        session.isDevice() ? Topics.devicePublication(topic) : Topics.applicationPublication(topic);
    lastTopic = new ParsedTopic(topic, publication);
    return publication;
  }

  private record ParsedTopic(String topic, Topics.Publication publication) {}

  /** An application's command: queued on the device's twin with a new command id. */
  private Intake commandIntake(String topic, Topics.CommandTo command, byte[] payload) {
    Payloads.Inspection inspection = Payloads.inspect(command.format(), payload);
    if (!inspection.isValid()) {
      return Intake.refused("'" + topic + "': " + inspection.error());
    }
    DeviceKey device = new DeviceKey(session.principal().org(), command.type(), command.id());
    String commandId = UUID.randomUUID().toString();
    return Intake.of(
        () ->
            twins.queueCommand(
                device, commandId, command.command(), command.format(), inspection.payload()));
  }

  // ---- SUBSCRIBE ----

  private void onSubscribe(MqttSubscribeMessage subscribe) {
    if (closing) {
      return;
    }
    List<MqttQoS> granted = new ArrayList<>(subscribe.topicSubscriptions().size());
    List<CompletionStage<Reply>> work = new ArrayList<>();
    for (MqttTopicSubscription subscription : subscribe.topicSubscriptions()) {
      granted.add(subscribe(subscription.topicName(), subscription.qualityOfService(), true, work));
    }
    afterStored(work, () -> endpoint.subscribeAcknowledge(subscribe.messageId(), granted));
  }

  /**
   * Adds a subscription and starts what it needs (the twin for commands, the live feed for
   * applications); {@code store} keeps it in a persistent session. The calls to wait for before
   * acknowledging are added to {@code work}.
   */
  private MqttQoS subscribe(
      String filter, MqttQoS requested, boolean store, List<CompletionStage<Reply>> work) {
    Topics.Filter parsed =
        session.isDevice()
            ? Topics.deviceSubscription(filter)
            : Topics.applicationSubscription(filter);
    if (parsed instanceof Topics.Invalid invalid) {
      log.info("MQTT {}: refused subscription to '{}': {}", clientId, filter, invalid.reason());
      return MqttQoS.FAILURE;
    }
    MqttSession.Subscription subscription = new MqttSession.Subscription(filter, parsed, requested);
    if (!session.subscribe(subscription, settings.maxSubscriptionsPerConnection())) {
      log.info(
          "MQTT {}: refused subscription to '{}': {} subscriptions is the limit",
          clientId,
          filter,
          settings.maxSubscriptionsPerConnection());
      return MqttQoS.FAILURE;
    }
    if (store && !session.cleanSession()) {
      work.add(call(() -> link.storeSubscription(filter, requested.value())));
    }
    if (session.principal() instanceof DevicePrincipal device) {
      if (!attached) {
        attached = true;
        // A persistent session takes the commands queued while it was away (MQTT 3.1.1: messages
        // for a clean session's subscriptions are only those published while it is connected).
        boolean deliverWaiting = !session.cleanSession();
        work.add(call(() -> link.attach(device.device(), deliverWaiting)));
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

  private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
    if (closing) {
      return;
    }
    List<CompletionStage<Reply>> work = new ArrayList<>();
    for (String filter : unsubscribe.topics()) {
      if (session.unsubscribe(filter)) {
        outbox.remove(filter);
        if (!session.cleanSession()) {
          work.add(call(() -> link.removeSubscription(filter)));
        }
      }
    }
    if (session.principal() instanceof DevicePrincipal device) {
      if (attached && !session.takesCommands()) {
        attached = false;
        link.detach(device.device());
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
        .whenComplete((done, failure) -> onEventLoop(() -> onStored(entry, all, failure)));
  }

  private void onStored(ControlAck entry, CompletableFuture<?>[] work, Throwable failure) {
    if (closing) {
      return;
    }
    if (failure != null) {
      disconnect("the session could not be kept: " + describe(failure));
      return;
    }
    for (CompletableFuture<?> call : work) {
      if (!(call.join() instanceof Reply.Done)) {
        disconnect("the session could not be kept: " + call.join());
        return;
      }
    }
    entry.done = true;
    flushControlAcks();
  }

  private void flushControlAcks() {
    while (!closing && !controlAcks.isEmpty() && controlAcks.peekFirst().done) {
      controlAcks.pollFirst().send.run();
    }
  }

  // ---- delivery ----

  /** A live message of the organization; any thread. Skips the hop when no filter matches. */
  @Override
  public void onLive(LiveMessage message) {
    for (Topics.Filter filter : liveFilters) {
      if (Topics.matches(filter, message)) {
        onEventLoop(() -> deliverLive(message));
        return;
      }
    }
  }

  private void deliverLive(LiveMessage message) {
    if (closing || outbox == null) {
      return;
    }
    MqttSession.Subscription through = session.deliveringLive(message);
    if (through != null) {
      outbox.offer(
          through.filter(),
          new Outbox.Delivery(
              Topics.topicOf(message),
              Topics.payloadOf(message),
              Topics.deliveryQos(message, through.qos()),
              null));
    }
  }

  /** What the resumed persistent session collected while the client was away; any thread. */
  @Override
  public void onBacklog(List<ClusterLink.BufferedMessage> messages) {
    onEventLoop(() -> deliverBacklog(messages));
  }

  private void deliverBacklog(List<ClusterLink.BufferedMessage> messages) {
    if (closing) {
      return;
    }
    if (outbox == null) {
      // the backlog overtook the session's answer to the claim; it goes out first once accepted
      earlyBacklog.addAll(messages);
      return;
    }
    for (ClusterLink.BufferedMessage message : messages) {
      outbox.offer(
          message.filter(),
          new Outbox.Delivery(
              message.topic(), message.payload(), MqttQoS.valueOf(message.qos()), null));
    }
  }

  /** A command from the device's twin; any thread. */
  @Override
  public void onCommand(TwinCommand.DeliverCommand command) {
    onEventLoop(() -> deliverCommand(command));
  }

  private void deliverCommand(TwinCommand.DeliverCommand command) {
    if (closing
        || outbox == null
        || !(session.principal() instanceof DevicePrincipal device)
        || !device.device().equals(command.device())
        || !rememberCommand(command.commandId())) {
      return;
    }
    MqttSession.Subscription through =
        session.deliveringCommand(command.command(), command.format());
    if (through == null) {
      // not subscribed to this command: it stays queued on the twin (HTTP, Hono, a later session)
      log.debug("MQTT {}: no subscription takes command '{}'", clientId, command.command());
      return;
    }
    DeviceKey key = device.device();
    outbox.offer(
        through.filter(),
        new Outbox.Delivery(
            Topics.commandTopic(command.command(), command.format()),
            command.payload(),
            through.qos(),
            () -> link.confirmDelivered(key, command.commandId())));
  }

  /** False when this connection was handed the command already. */
  private boolean rememberCommand(String commandId) {
    if (!commandsSeen.add(commandId)) {
      return false;
    }
    if (commandsSeen.size() > REMEMBERED_COMMANDS) {
      Iterator<String> oldest = commandsSeen.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  private void drain() {
    if (!closing && outbox != null) {
      outbox.drain();
    }
  }

  private void withOutbox(java.util.function.Consumer<Outbox> action) {
    if (outbox != null && !closed) {
      action.accept(outbox);
    }
  }

  /** PUBLISH packets to the client through the Vert.x endpoint. */
  private final class EndpointWire implements Outbox.Wire {
    @Override
    public boolean isWritable() {
      return reads.channel().isWritable();
    }

    @Override
    public Future<Void> publish(String topic, byte[] payload, MqttQoS qos, int packetId) {
      return endpoint
          .publish(topic, Buffer.buffer(payload), qos, false, false, packetId)
          .mapEmpty();
    }

    @Override
    public void release(int packetId) {
      endpoint.publishRelease(packetId);
    }
  }

  // ---- close and will ----

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    if (counted) {
      registry.closed(session == null ? null : clientId, this);
    }
    if (outbox != null) {
      outbox.close();
    }
    if (accepted && !disconnectReceived && !nodeStopping.getAsBoolean()) {
      publishWill();
    }
    if (accepted) {
      if (attached && session.principal() instanceof DevicePrincipal device) {
        link.detach(device.device());
      }
      link.publish(
          ConnectionStatus.disconnected(
              session.principal(), statusInfo, Timestamps.now(), closeReason(), traffic()));
      List<String> dropping = outbox.droppingSubscriptions();
      if (!dropping.isEmpty()) {
        log.info(
            "MQTT {} from {}: {} messages dropped from full subscription buffers: {}",
            clientId,
            remote,
            outbox.dropped(),
            String.join(", ", dropping));
      }
      log.debug("MQTT {} from {} closed: {}", clientId, remote, closeReason());
    }
    if (accepted
        && !session.cleanSession()
        && !session.isDevice()
        && !ConnectionStatus.REASON_TAKEN_OVER.equals(statusReason)) {
      link.release(outbox.owed());
    }
    if (link != null) {
      link.close();
    }
    window.clear();
    waiting.clear();
    controlAcks.clear();
  }

  private String closeReason() {
    if (disconnectReceived) {
      return ConnectionStatus.REASON_NORMAL;
    }
    if (statusReason != null) {
      return statusReason;
    }
    return nodeStopping.getAsBoolean()
        ? ConnectionStatus.REASON_SHUTDOWN
        : ConnectionStatus.REASON_LOST;
  }

  private ConnectionStatus.Traffic traffic() {
    return new ConnectionStatus.Traffic(
        counter == null ? connectBytes : counter.readBytes(),
        publishesRead,
        counter == null ? 0 : counter.writtenBytes(),
        outbox == null ? 0 : outbox.published(),
        outbox == null ? 0 : outbox.dropped());
  }

  /**
   * After an ungraceful close (no DISCONNECT), the will is recorded like a publish of this client,
   * if it is one this client may make; otherwise it is dropped with a log line.
   */
  private void publishWill() {
    session
        .will()
        .ifPresent(
            will -> {
              Intake intake = intake(will.topic(), will.payload(), will.qos());
              if (intake.refusal() != null) {
                log.info("MQTT {}: will dropped: {}", clientId, intake.refusal());
                return;
              }
              call(intake.action())
                  .whenComplete(
                      (reply, failure) -> {
                        if (failure != null || !isAccepted(reply)) {
                          log.info(
                              "MQTT {}: will not recorded: {}",
                              clientId,
                              failure != null ? describe(failure) : describe(reply));
                        }
                      });
            });
  }

  private static MqttSession.Will will(MqttWill will) {
    if (will == null || !will.isWillFlag()) {
      return null;
    }
    return new MqttSession.Will(
        will.getWillTopic(),
        will.getWillMessageBytes(),
        MqttQoS.valueOf(will.getWillQos()),
        will.isWillRetain());
  }

  private void onException(Throwable failure) {
    // Vert.x closes the connection after a protocol error (malformed or oversize packet).
    log.debug("MQTT {} from {}: {}", clientId, remote, failure.toString());
  }

  /** Closes the connection because of something the client did (or the twin refused). */
  void disconnect(String reason) {
    if (closing) {
      return;
    }
    closing = true;
    if (statusReason == null) {
      statusReason = ConnectionStatus.REASON_CLOSED_BY_SERVER + reason;
    }
    log.info("MQTT {} from {} disconnected: {}", clientId, remote, reason);
    try {
      endpoint.close();
    } catch (IllegalStateException alreadyClosed) {
      // the client went first
    }
  }

  private void refuse(MqttConnectReturnCode code, String reason) {
    closing = true;
    log.info("MQTT {} from {} refused ({}): {}", clientId, remote, code, reason);
    try {
      endpoint.reject(code);
    } catch (IllegalStateException alreadyClosed) {
      // the client went first
    }
  }

  // ---- helpers ----

  private void onEventLoop(Runnable action) {
    context.runOnContext(v -> action.run());
  }

  /** A call that throws instead of failing its stage becomes a failed stage. */
  private static CompletionStage<Reply> call(Supplier<CompletionStage<Reply>> c) {
    try {
      return c.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static String describe(Reply reply) {
    if (reply instanceof Reply.Rejected rejected) {
      return rejected.reason() + ": " + rejected.message();
    }
    if (reply instanceof Reply.NeedsVerification) {
      return "the credentials changed";
    }
    return String.valueOf(reply);
  }

  private static String describe(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
