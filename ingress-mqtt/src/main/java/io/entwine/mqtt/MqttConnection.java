package io.entwine.mqtt;

import static io.entwine.mqtt.TwinCalls.call;
import static io.entwine.mqtt.TwinCalls.describe;

import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Timestamps;
import io.entwine.live.LiveMessage;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.net.SocketAddress;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.time.Instant;
import java.util.List;
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
 * <p>CONNECT: credentials checked by the twin (device, gateway) or organization (application,
 * {@link ClientCredentials}) → the client id's cluster-wide {@link ClientSession} claimed (which
 * closes any other connection of it, on any node, and returns a persistent session's subscriptions)
 * → CONNACK → a {@code Connect} status message.
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
 *
 * <p>Over 400 lines because it is the one place that sequences a connection through its phases:
 * what each step does is in the classes named here, what stays is when it happens.
 */
final class MqttConnection implements ClusterLink.Listener, ConnectionControl {
  static final String DEVICE_USERNAME = "use-token-auth";

  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

  private final MqttEndpoint endpoint;
  private final Context context;
  private final MqttSettings settings;
  private final TwinAccess twins;
  private final ClusterLink cluster;
  private final ConnectionRegistry registry;
  private final MqttMeters meters;
  private final BooleanSupplier nodeStopping;
  private final String clientId;
  private final String remote;
  private final String peerHost;
  private final ConnectionReport report;

  private ConnectionPhase phase = ConnectionPhase.OPENING;

  // set once authenticated
  private MqttSession session;
  private SocketReads reads;
  private ClusterLink.Link link;
  private PublishIntake intake;
  private InboundWindow window;
  private Deliveries deliveries;
  private ManagementPublishes management;

  // set once accepted
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
      MqttMeters meters,
      BooleanSupplier nodeStopping) {
    this.endpoint = endpoint;
    this.context = context;
    this.settings = settings;
    this.twins = twins;
    this.cluster = cluster;
    this.registry = registry;
    this.meters = meters;
    this.nodeStopping = nodeStopping;
    this.clientId = endpoint.clientIdentifier();
    this.remote = String.valueOf(endpoint.remoteAddress());
    // read while the endpoint is open: Vert.x closes it on a protocol error (a second CONNECT)
    // while the credentials are being checked, and its address getters throw from then on
    SocketAddress peer = endpoint.remoteAddress();
    this.peerHost =
        peer == null ? "" : peer.hostAddress() != null ? peer.hostAddress() : peer.host();
    SocketAddress local = endpoint.localAddress();
    this.report =
        new ConnectionReport(
            clientId,
            peerHost,
            local == null ? 0 : local.port(),
            listener,
            endpoint.isSsl(),
            nodeStopping);
  }

  // ---- CONNECT ----

  void start() {
    endpoint.publishAutoAck(false);
    endpoint.subscriptionAutoAck(false);
    endpoint.closeHandler(v -> onClosed());
    endpoint.disconnectHandler(v -> onDisconnectReceived());
    endpoint.exceptionHandler(this::onException);
    endpoint.publishHandler(this::onPublish);
    endpoint.publishReleaseHandler(id -> whileOpen(() -> window.onRelease(id)));
    endpoint.subscribeHandler(message -> whileOpen(() -> subscriptions.onSubscribe(message)));
    endpoint.unsubscribeHandler(message -> whileOpen(() -> subscriptions.onUnsubscribe(message)));
    endpoint.publishAcknowledgeHandler(id -> withOutbox(outbox -> outbox.onPubAck(id)));
    endpoint.publishReceivedHandler(id -> withOutbox(outbox -> outbox.onPubRec(id)));
    endpoint.publishCompletionHandler(id -> withOutbox(outbox -> outbox.onPubComp(id)));
    meters.countPackets(SocketReads.of(endpoint).channel());

    if (!registry.tryOpen()) {
      refuse(
          MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "this node already serves " + settings.maxConnections() + " connections");
      return;
    }
    moveTo(ConnectionPhase.AUTHENTICATING);
    ClientIds.ClientId id = ClientIds.parse(clientId);
    ConnectPacket.Refusal refusal = ConnectPacket.refusal(endpoint, id);
    if (refusal != null) {
      refuse(refusal.code(), refusal.reason());
      return;
    }
    report.connectRead(ConnectPacket.bytesOnWire(endpoint));
    MqttAuth auth = endpoint.auth();
    authenticate(id, auth.getUsername(), auth.getPassword());
  }

  private void authenticate(ClientIds.ClientId id, String username, String password) {
    ClientCredentials.Check check =
        ClientCredentials.of(id, username, password, twins, peerHost.isEmpty() ? null : peerHost);
    if (check.refusal() != null) {
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, check.refusal());
      return;
    }
    check
        .reply()
        .whenComplete(
            (answer, failure) ->
                onEventLoop(() -> onAuthenticated(check.principal(), username, answer, failure)));
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
    SocketReads socketReads = SocketReads.of(endpoint);
    if (!socketReads.channel().isActive()) {
      // Vert.x closed the socket (a second CONNECT) and its close event is still queued, maybe
      // behind this answer: a claim now would take the client id from a newer, live connection.
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
    report.authenticated(endpoint.protocolVersion(), username, connectedAt);
    reads = socketReads;
    intake =
        new PublishIntake(
            session, twins, settings.maxPayloadBytes(), this::onStateRejected, this::onNotice);
    management = new ManagementPublishes(session, cluster, twins, settings, this, () -> deliveries);
    window =
        new InboundWindow(
            endpoint,
            reads,
            this,
            settings.maxInFlightPerConnection(),
            intake::recordOwnEvents,
            intake::patchOwnReported);
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
    report.countedBy(
        WireCounter.install(
            reads.channel(), report.connectBytes(), () -> onEventLoop(this::drain)));
    outbox =
        new Outbox(
            new EndpointWire(endpoint, reads),
            settings.subscriptionBuffer(),
            settings.maxBufferedBytesPerConnection(),
            settings.maxInFlightDeliveries());
    subscriptions =
        new Subscriptions(
            endpoint,
            session,
            link,
            outbox,
            this,
            settings.maxSubscriptionsPerConnection(),
            this::sendCurrentDelta);
    endpoint.accept(stored.present());
    moveTo(ConnectionPhase.CONNECTED);
    deliveries.start(outbox);
    log.debug(
        "MQTT {} connected from {} (session present: {})", clientId, remote, stored.present());
    subscriptions.restore(stored.subscriptions());
    link.publish(report.connected(session.principal()));
  }

  /** Another connection, on any node, claimed the client id (told by the {@link ClientSession}). */
  @Override
  public void onTakenOver() {
    onEventLoop(this::onTakenOverHere);
  }

  private void onTakenOverHere() {
    report.takenOver();
    close(ConnectionPhase.TAKEN_OVER, "another connection took over client id " + clientId);
  }

  // ---- what the client sends ----

  private void onPublish(MqttPublishMessage publish) {
    if (phase.closing()) {
      return;
    }
    report.publishRead();
    int messageId = publish.messageId();
    MqttQoS qos = publish.qosLevel();
    if (window.answersResend(messageId, qos)) {
      return;
    }
    PublishIntake.Intake accepted = management.intakeOr(intake, publish);
    if (accepted.refusal() != null) {
      disconnect(accepted.refusal());
      return;
    }
    window.add(messageId, qos, accepted);
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
  public void onCommand(TwinCommand.DeliverCommand command) {
    onEventLoop(() -> whileOpen(() -> deliveries.offerCommand(command)));
  }

  /** A state delta from the device's twin; any thread. */
  @Override
  public void onStateDelta(TwinCommand.DeliverStateDelta delta) {
    onEventLoop(() -> whileOpen(() -> deliveries.offerDelta(delta.version(), delta.delta())));
  }

  /** The device subscribed to its delta: it gets the current one, if it is not empty. */
  private void sendCurrentDelta() {
    DevicePrincipal device = (DevicePrincipal) session.principal();
    call(() -> twins.deviceState(device.device(), device.token()))
        .whenComplete(
            (reply, failure) -> {
              if (reply instanceof Reply.StateView state && !state.delta().isEmpty()) {
                onEventLoop(
                    () -> whileOpen(() -> deliveries.offerDelta(state.version(), state.delta())));
              }
            });
  }

  /** A state write of this client was refused; any thread. */
  private void onStateRejected(DeviceKey device, byte[] rejection) {
    onEventLoop(() -> whileOpen(() -> deliveries.offerRejection(device, rejection)));
  }

  /** A publish of this gateway was dropped and is told on its notify topic; any thread. */
  private void onNotice(byte[] notice) {
    onEventLoop(() -> whileOpen(() -> deliveries.offerNotice(notice)));
  }

  private void whileOpen(Runnable action) {
    if (!isClosing()) {
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

  // ---- close ----

  /** DISCONNECT: a clean close, without the will (Vert.x then closes the socket). */
  private void onDisconnectReceived() {
    report.disconnectReceived();
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
    management.close();
    if (!report.endedNormally() && !nodeStopping.getAsBoolean()) {
      intake.publishWill();
    }
    subscriptions.detachOnClose();
    meters.dropped(outbox.dropped());
    link.publish(report.disconnected(session.principal(), outbox));
    List<String> dropping = outbox.droppingSubscriptions();
    if (!dropping.isEmpty()) {
      log.info(
          "MQTT {} from {}: {} messages dropped from full subscription buffers: {}",
          clientId,
          remote,
          outbox.dropped(),
          String.join(", ", dropping));
    }
    log.debug("MQTT {} from {} closed: {}", clientId, remote, report.closeReason());
    if (!session.cleanSession() && !session.isDevice() && last != ConnectionPhase.TAKEN_OVER) {
      link.release(outbox.owed());
    }
  }

  private void onException(Throwable failure) {
    // Vert.x closes the connection after a protocol error (malformed or oversize packet).
    log.debug("MQTT {} from {}: {}", clientId, remote, failure.toString());
  }

  /**
   * Also true once Vert.x closed an accepted endpoint itself (a protocol error in a later packet)
   * and has not called the close handler yet: an answer written then (a SUBACK after its
   * subscription was stored) would throw on the event loop, logged at ERROR.
   */
  @Override
  public boolean isClosing() {
    return phase.closing() || (phase.accepted() && !endpoint.isConnected());
  }

  @Override
  public void disconnect(String reason) {
    close(ConnectionPhase.DISCONNECTING, reason);
  }

  /** Closes the connection from this side; {@code to} is the phase if CONNACK accepted it. */
  private void close(ConnectionPhase to, String reason) {
    if (phase.closing()) {
      return;
    }
    moveTo(phase.accepted() ? to : ConnectionPhase.REFUSED);
    report.closedByServer(reason);
    log.atInfo()
        .addKeyValue("clientId", clientId)
        .log("MQTT {} from {} disconnected: {}", clientId, remote, reason);
    try {
      endpoint.close();
    } catch (IllegalStateException alreadyClosed) {
      // the client went first
    }
  }

  private void refuse(MqttConnectReturnCode code, String reason) {
    moveTo(phase.holdsSlot() ? ConnectionPhase.REFUSED : ConnectionPhase.NODE_FULL);
    meters.refused(code);
    log.atInfo()
        .addKeyValue("clientId", clientId)
        .log("MQTT {} from {} refused ({}): {}", clientId, remote, code, reason);
    try {
      endpoint.reject(code);
    } catch (IllegalStateException alreadyClosed) {
      // the client went first
    }
  }

  private void moveTo(ConnectionPhase next) {
    phase = phase.moveTo(next);
  }

  @Override
  public void onEventLoop(Runnable action) {
    context.runOnContext(v -> action.run());
  }
}
