package io.entwine.mqtt;

import static io.entwine.mqtt.TwinCalls.call;
import static io.entwine.mqtt.TwinCalls.describe;

import io.entwine.identity.Ids;
import io.entwine.ingress.Timestamps;
import io.entwine.live.LiveMessage;
import io.entwine.mqtt.MqttSession.ApplicationPrincipal;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.DeviceTwin;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, from CONNECT to close, with IBM IoT Foundation semantics. Everything here
 * runs on the connection's Vert.x event loop; replies and messages from the cluster are brought
 * back to it, so the state needs no locks and nothing blocks. Where the connection is in its life
 * is one {@link ConnectionPhase}.
 *
 * <p>CONNECT: credentials checked by the twin (device) or organization (application) → the client
 * id's cluster-wide {@link ClientSession} claimed (which closes any other connection of it, on any
 * node, and returns a persistent session's subscriptions) → CONNACK → a {@code Connect} status
 * message.
 *
 * <p>A PUBLISH is checked (size, topic allowed for this client, JSON) and turned into a twin call
 * by {@link PublishIntake}, then recorded and acknowledged through the {@link InboundWindow}
 * (PUBACK or PUBREC once the twin persisted it, in arrival order, with the socket paused while the
 * window is full). Anything the client may not do closes the connection (MQTT 3.1.1 has no negative
 * acknowledgement).
 *
 * <p>SUBSCRIBE and UNSUBSCRIBE go to {@link Subscriptions}; what the cluster sends (live messages,
 * commands, a resumed session's backlog) to {@link Deliveries}, and from there through the {@link
 * Outbox} (a bounded buffer per subscription, QoS 1/2 tracked to the client's acknowledgement).
 */
final class MqttConnection implements ClusterLink.Listener {
  static final String DEVICE_USERNAME = "use-token-auth";

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
  private final ConnectionControl control = new Control();

  private ConnectionPhase phase = ConnectionPhase.OPENING;

  /** Why the connection ended, once known: the first reason given wins, a DISCONNECT any. */
  private String statusReason;

  private long connectBytes;
  private long publishesRead;

  // set once authenticated
  private MqttSession session;
  private SocketReads reads;
  private ClusterLink.Link link;
  private ConnectionStatus.Connection statusInfo;
  private PublishIntake intake;
  private InboundWindow window;
  private Deliveries deliveries;

  // set once accepted
  private WireCounter counter;
  private Outbox outbox;

  /** Read by the cluster's threads ({@link #onLive}). */
  private volatile Subscriptions subscriptions;

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
    endpoint.disconnectHandler(v -> onDisconnectReceived());
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
    moveTo(ConnectionPhase.AUTHENTICATING);
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
    if (phase.closing()) {
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
            PublishIntake.willOf(endpoint.will()));
    statusInfo = statusInfo(username, connectedAt);
    reads = SocketReads.of(endpoint);
    intake = new PublishIntake(session, twins, settings.maxPayloadBytes());
    window =
        new InboundWindow(
            endpoint, reads, control, settings.maxInFlightPerConnection(), intake::recordOwnEvents);
    moveTo(ConnectionPhase.CLAIMING);
    link = cluster.open(clientId, this);
    deliveries = new Deliveries(session, link);
    call(() -> link.claim(session.cleanSession()))
        .whenComplete((stored, error) -> onEventLoop(() -> onClaimed(stored, error)));
  }

  /** The client id is this connection's now (any other was told to close): CONNACK. */
  private void onClaimed(ClusterLink.StoredSession stored, Throwable failure) {
    if (phase.closing()) {
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
    subscriptions =
        new Subscriptions(
            endpoint, session, link, outbox, control, settings.maxSubscriptionsPerConnection());
    endpoint.accept(stored.present());
    moveTo(ConnectionPhase.CONNECTED);
    deliveries.start(outbox);
    log.debug(
        "MQTT {} connected from {} (session present: {})", clientId, remote, stored.present());
    subscriptions.restore(stored.subscriptions());
    link.publish(ConnectionStatus.connected(session.principal(), statusInfo, Timestamps.now()));
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
    close(ConnectionPhase.TAKEN_OVER, "another connection took over client id " + clientId);
  }

  // ---- what the client sends ----

  private void onPublish(MqttPublishMessage publish) {
    if (phase.closing()) {
      return;
    }
    publishesRead++;
    int messageId = publish.messageId();
    MqttQoS qos = publish.qosLevel();
    if (window.answersResend(messageId, qos)) {
      return;
    }
    PublishIntake.Intake accepted =
        intake.intake(publish.topicName(), publish.payload().getBytes(), qos);
    if (accepted.refusal() != null) {
      disconnect(accepted.refusal());
      return;
    }
    window.add(messageId, qos, accepted);
  }

  private void onPublishRelease(int messageId) {
    if (!phase.closing()) {
      window.onRelease(messageId);
    }
  }

  private void onSubscribe(MqttSubscribeMessage subscribe) {
    if (!phase.closing()) {
      subscriptions.onSubscribe(subscribe);
    }
  }

  private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
    if (!phase.closing()) {
      subscriptions.onUnsubscribe(unsubscribe);
    }
  }

  // ---- what the cluster sends ----

  /** A live message of the organization; any thread. Skips the hop when no filter matches. */
  @Override
  public void onLive(LiveMessage message) {
    Subscriptions current = subscriptions;
    if (current != null && current.selects(message)) {
      onEventLoop(() -> whileOpen(() -> deliveries.offerLive(message)));
    }
  }

  /** What the resumed persistent session collected while the client was away; any thread. */
  @Override
  public void onBacklog(List<ClusterLink.BufferedMessage> messages) {
    onEventLoop(() -> whileOpen(() -> deliveries.offerBacklog(messages)));
  }

  /** A command from the device's twin; any thread. */
  @Override
  public void onCommand(DeviceTwin.DeliverCommand command) {
    onEventLoop(() -> whileOpen(() -> deliveries.offerCommand(command)));
  }

  private void whileOpen(Runnable action) {
    if (!phase.closing()) {
      action.run();
    }
  }

  private void drain() {
    if (!phase.closing() && outbox != null) {
      outbox.drain();
    }
  }

  private void withOutbox(Consumer<Outbox> action) {
    if (outbox != null && phase != ConnectionPhase.CLOSED) {
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

  // ---- close ----

  /** DISCONNECT: a clean close, without the will (Vert.x then closes the socket). */
  private void onDisconnectReceived() {
    statusReason = ConnectionStatus.REASON_NORMAL;
    if (phase == ConnectionPhase.CONNECTED) {
      moveTo(ConnectionPhase.CLIENT_DISCONNECTED);
    }
  }

  private void onClosed() {
    if (phase == ConnectionPhase.CLOSED) {
      return;
    }
    ConnectionPhase last = phase;
    moveTo(ConnectionPhase.CLOSED);
    if (last.holdsSlot()) {
      registry.closed(session == null ? null : clientId, this);
    }
    if (outbox != null) {
      outbox.close();
    }
    if (last.accepted()) {
      closeAccepted(last);
    }
    if (link != null) {
      link.close();
    }
    if (window != null) {
      window.clear();
    }
  }

  /** The will, the {@code Disconnect} status message and a persistent session's release. */
  private void closeAccepted(ConnectionPhase last) {
    boolean clean = ConnectionStatus.REASON_NORMAL.equals(statusReason);
    if (!clean && !nodeStopping.getAsBoolean()) {
      intake.publishWill();
    }
    subscriptions.detachOnClose();
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
    if (!session.cleanSession() && !session.isDevice() && last != ConnectionPhase.TAKEN_OVER) {
      link.release(outbox.owed());
    }
  }

  private String closeReason() {
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

  private void onException(Throwable failure) {
    // Vert.x closes the connection after a protocol error (malformed or oversize packet).
    log.debug("MQTT {} from {}: {}", clientId, remote, failure.toString());
  }

  /** Closes the connection because of something the client did (or the twin refused). */
  void disconnect(String reason) {
    close(ConnectionPhase.DISCONNECTING, reason);
  }

  /** Closes the connection from this side; {@code to} is the phase if CONNACK accepted it. */
  private void close(ConnectionPhase to, String reason) {
    if (phase.closing()) {
      return;
    }
    moveTo(phase.accepted() ? to : ConnectionPhase.REFUSED);
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
    moveTo(phase.holdsSlot() ? ConnectionPhase.REFUSED : ConnectionPhase.NODE_FULL);
    log.info("MQTT {} from {} refused ({}): {}", clientId, remote, code, reason);
    try {
      endpoint.reject(code);
    } catch (IllegalStateException alreadyClosed) {
      // the client went first
    }
  }

  private void moveTo(ConnectionPhase next) {
    phase = phase.moveTo(next);
  }

  private void onEventLoop(Runnable action) {
    context.runOnContext(v -> action.run());
  }

  /** What the connection's parts ask of it. */
  private final class Control implements ConnectionControl {
    @Override
    public boolean isClosing() {
      return phase.closing();
    }

    @Override
    public void disconnect(String reason) {
      MqttConnection.this.disconnect(reason);
    }

    @Override
    public void onEventLoop(Runnable action) {
      MqttConnection.this.onEventLoop(action);
    }
  }
}
