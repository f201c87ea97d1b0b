package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.mqtt.MqttSession.ApplicationPrincipal;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.protocol.Reply;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, from CONNECT to close, with IBM IoT Foundation semantics. Everything here
 * runs on the connection's Vert.x event loop; twin replies are brought back to it, so the state
 * needs no locks and nothing blocks.
 *
 * <p>A PUBLISH is: checked (size, topic allowed for this client, JSON) → recorded through {@link
 * TwinAccess} → acknowledged (PUBACK for QoS 1, PUBREC for QoS 2) once the twin answered Done, in
 * the order the packets arrived. At most {@code max-in-flight-per-connection} records are asked at
 * once; when that many are open the socket is not read until half of them completed. Anything the
 * client may not do closes the connection (MQTT 3.1.1 has no negative acknowledgement).
 */
final class MqttConnection {
  static final String DEVICE_USERNAME = "use-token-auth";

  /** QoS 2 packet ids acknowledged with PUBREC whose PUBREL has not arrived yet, at most. */
  static final int MAX_UNRELEASED_QOS2 = 1024;

  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

  private final MqttEndpoint endpoint;
  private final Context context;
  private final MqttSettings settings;
  private final TwinAccess twins;
  private final ConnectionRegistry registry;
  private final BooleanSupplier nodeStopping;
  private final String clientId;
  private final String remote;

  private boolean counted;
  private boolean closing;
  private boolean closed;
  private boolean disconnectReceived;
  private MqttSession session;
  private SocketReads reads;

  /** Accepted publishes in arrival order, until acknowledged. */
  private final ArrayDeque<InFlight> window = new ArrayDeque<>();

  /** Publishes in the window not yet handed to the twins. */
  private final ArrayDeque<InFlight> waiting = new ArrayDeque<>();

  private final Set<Integer> qos2InWindow = new HashSet<>();
  private final Set<Integer> qos2Unreleased = new HashSet<>();
  private int asked;

  private static final class InFlight {
    final int messageId;
    final MqttQoS qos;
    final DeviceMessage message;
    boolean recorded;

    InFlight(int messageId, MqttQoS qos, DeviceMessage message) {
      this.messageId = messageId;
      this.qos = qos;
      this.message = message;
    }
  }

  MqttConnection(
      MqttEndpoint endpoint,
      Context context,
      MqttSettings settings,
      TwinAccess twins,
      ConnectionRegistry registry,
      BooleanSupplier nodeStopping) {
    this.endpoint = endpoint;
    this.context = context;
    this.settings = settings;
    this.twins = twins;
    this.registry = registry;
    this.nodeStopping = nodeStopping;
    this.clientId = endpoint.clientIdentifier();
    this.remote = String.valueOf(endpoint.remoteAddress());
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
      reply = call(() -> twins.authenticateDevice(device.device(), password));
    } else {
      ClientIds.Application app = (ClientIds.Application) id;
      if (!Ids.organizationOfApiKey(username).map(app.org()::equals).orElse(false)) {
        refuse(
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
            "the username must be an API key of organization " + app.org());
        return;
      }
      principal = new ApplicationPrincipal(app.org(), app.appId(), username);
      reply = call(() -> twins.authenticateApiKey(app.org(), username, password));
    }
    reply.whenComplete(
        (answer, failure) -> onEventLoop(() -> onAuthenticated(principal, answer, failure)));
  }

  private void onAuthenticated(MqttSession.Principal principal, Reply reply, Throwable failure) {
    if (closing) {
      return;
    }
    if (failure != null) {
      refuse(
          MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "credentials could not be checked: " + describe(failure));
      return;
    }
    if (!(reply instanceof Reply.Done)) {
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, describe(reply));
      return;
    }
    session =
        new MqttSession(
            clientId,
            principal,
            endpoint.isCleanSession(),
            endpoint.protocolVersion(),
            Timestamps.now(),
            will(endpoint.will()));
    reads = SocketReads.of(endpoint);
    registry.register(clientId, this).ifPresent(MqttConnection::takenOver);
    endpoint.accept(false);
    log.debug("MQTT {} connected from {}", clientId, remote);
  }

  /** Another connection authenticated with this client id: this one goes. */
  private void takenOver() {
    onEventLoop(() -> disconnect("another connection took over client id " + clientId));
  }

  // ---- PUBLISH ----

  private void onPublish(MqttPublishMessage publish) {
    if (closing) {
      return;
    }
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
    Intake intake = intake(publish.topicName(), publish.payload().getBytes());
    if (intake.refusal() != null) {
      disconnect(intake.refusal());
      return;
    }
    InFlight entry = new InFlight(messageId, qos, intake.message());
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

  private void askTwins() {
    while (asked < settings.maxInFlightPerConnection() && !waiting.isEmpty()) {
      InFlight entry = waiting.pollFirst();
      asked++;
      record(entry.message)
          .whenComplete((reply, failure) -> onEventLoop(() -> onRecorded(entry, reply, failure)));
    }
  }

  private void onRecorded(InFlight entry, Reply reply, Throwable failure) {
    asked--;
    if (closing) {
      return;
    }
    if (failure != null) {
      disconnect("the event was not recorded: " + describe(failure));
      return;
    }
    if (!(reply instanceof Reply.Done)) {
      disconnect("the event was refused: " + describe(reply));
      return;
    }
    entry.recorded = true;
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

  private void acknowledge(InFlight entry) {
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
      return call(() -> twins.recordEvent(message, device.token()));
    }
    ApplicationPrincipal app = (ApplicationPrincipal) session.principal();
    return call(() -> twins.recordApplicationEvent(message, app.apiKey()));
  }

  /** A publication this client may make, as the message for its twin, or why not. */
  private record Intake(DeviceMessage message, String refusal) {
    static Intake refused(String reason) {
      return new Intake(null, reason);
    }
  }

  private Intake intake(String topic, byte[] payload) {
    if (payload.length > settings.maxPayloadBytes()) {
      return Intake.refused(
          "a payload of "
              + payload.length
              + " bytes is over the limit of "
              + settings.maxPayloadBytes());
    }
    Topics.Publication publication =
        session.isDevice() ? Topics.devicePublication(topic) : Topics.applicationPublication(topic);
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
    } else if (publication instanceof Topics.CommandTo) {
      return Intake.refused("publishing commands is not supported yet ('" + topic + "')");
    } else {
      return Intake.refused(
          "may not publish to '" + topic + "': " + ((Topics.Invalid) publication).reason());
    }
    Payloads.Inspection inspection = Payloads.inspect(format, payload);
    if (!inspection.isValid()) {
      return Intake.refused("'" + topic + "': " + inspection.error());
    }
    Instant receivedAt = Timestamps.now();
    return new Intake(
        new DeviceMessage(
            device,
            event,
            format,
            payload,
            inspection.eventTime().orElse(receivedAt),
            receivedAt,
            "mqtt"),
        null);
  }

  // ---- SUBSCRIBE ----

  private void onSubscribe(MqttSubscribeMessage subscribe) {
    if (closing) {
      return;
    }
    List<MqttQoS> granted = new ArrayList<>(subscribe.topicSubscriptions().size());
    for (MqttTopicSubscription subscription : subscribe.topicSubscriptions()) {
      granted.add(subscribe(subscription.topicName(), subscription.qualityOfService()));
    }
    endpoint.subscribeAcknowledge(subscribe.messageId(), granted);
  }

  private MqttQoS subscribe(String filter, MqttQoS requested) {
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
    return requested;
  }

  private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
    if (closing) {
      return;
    }
    unsubscribe.topics().forEach(session::unsubscribe);
    endpoint.unsubscribeAcknowledge(unsubscribe.messageId());
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
    if (session != null) {
      if (!disconnectReceived && !nodeStopping.getAsBoolean()) {
        publishWill();
      }
      log.debug("MQTT {} from {} closed", clientId, remote);
    }
    window.clear();
    waiting.clear();
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
              Intake intake = intake(will.topic(), will.payload());
              if (intake.refusal() != null) {
                log.info("MQTT {}: will dropped: {}", clientId, intake.refusal());
                return;
              }
              record(intake.message())
                  .whenComplete(
                      (reply, failure) -> {
                        if (failure != null || !(reply instanceof Reply.Done)) {
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
