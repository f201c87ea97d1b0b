package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.mgmt.ManagementMessages;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.mqtt.MqttSession.GatewayPrincipal;
import io.entwine.mqtt.mgmt.ManagedDeviceAgent;
import io.entwine.mqtt.mgmt.ManagementAccess;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A connection's {@code iotdevice-1/…} publishes (IBM's device management protocol), each device's
 * handed to a {@link ManagedDeviceAgent} made at its first; what the device's entity sends back
 * goes to the connection. A device speaks for itself; a gateway speaks for itself and for the
 * devices it acts for on {@code iotdevice-1/type/{type}/id/{id}/…} and is answered on {@code
 * iotdm-1/type/{type}/id/{id}/…} (Watson IoT Platform documentation, MQTT connectivity for
 * gateways, "Managed gateways").
 */
final class ManagementPublishes {
  private static final Pattern GATEWAY_TOPIC =
      Pattern.compile("^iotdevice-1/type/([^/+#]+)/id/([^/+#]+)/(.+)$");

  private final MqttSession session;
  private final Optional<ManagementAccess> access;
  private final int maxPayloadBytes;
  private final Consumer<ToDevice> toConnection;
  private final TwinAccess twins;

  /** By device: one for a device's connection, one per device a gateway manages. */
  private final Map<DeviceKey, ManagedDeviceAgent> agents = new ConcurrentHashMap<>();

  ManagementPublishes(
      MqttSession session,
      ClusterLink cluster,
      TwinAccess twins,
      MqttSettings settings,
      ConnectionControl connection,
      Supplier<Deliveries> deliveries) {
    this.session = session;
    this.access = cluster.management();
    this.twins = twins;
    this.maxPayloadBytes = settings.maxPayloadBytes();
    this.toConnection =
        message ->
            connection.onEventLoop(
                () -> {
                  if (!connection.isClosing()) {
                    deliveries.get().offerManagement(message);
                  }
                });
  }

  /**
   * A device's or gateway's publish to a management topic, where the cluster has management; else
   * {@code other}'s.
   */
  PublishIntake.Intake intakeOr(PublishIntake other, MqttPublishMessage publish) {
    String topic = publish.topicName();
    byte[] payload = publish.payload().getBytes();
    return (session.isDevice() || session.isGateway())
            && access.isPresent()
            && ManagedDeviceAgent.isManagementTopic(topic)
        ? intake(topic, payload)
        : other.intake(topic, payload, publish.qosLevel());
  }

  private PublishIntake.Intake intake(String topic, byte[] payload) {
    if (payload.length > maxPayloadBytes) {
      return PublishIntake.Intake.refused(
          "a payload of " + payload.length + " bytes is over the limit of " + maxPayloadBytes);
    }
    if (session.principal() instanceof GatewayPrincipal gateway) {
      return gatewayIntake(gateway.gateway(), topic, payload);
    }
    ManagedDeviceAgent agent = agentOf(((DevicePrincipal) session.principal()).device());
    return PublishIntake.Intake.of(() -> agent.handle(topic, payload));
  }

  /**
   * A gateway's request for itself or a device it acts for ({@link TwinAccess#mayActFor}, asked
   * once per device and connection); a device it may not act for is answered 403 (404 when not
   * registered) on that device's response topic, and nothing reaches its entity.
   */
  private PublishIntake.Intake gatewayIntake(DeviceKey gateway, String topic, byte[] payload) {
    Matcher parts = GATEWAY_TOPIC.matcher(topic);
    if (!parts.matches()) {
      return PublishIntake.Intake.refused(
          "a gateway publishes device management requests to iotdevice-1/type/{type}/id/{id}/…");
    }
    DeviceKey device = new DeviceKey(gateway.org(), parts.group(1), parts.group(2));
    String request = ManagedDeviceAgent.ROOT + parts.group(3);
    ManagedDeviceAgent known = agents.get(device);
    if (known != null || device.equals(gateway)) {
      ManagedDeviceAgent agent = known != null ? known : agentOf(device);
      return PublishIntake.Intake.of(() -> agent.handle(request, payload));
    }
    return PublishIntake.Intake.of(
        () ->
            twins
                .mayActFor(gateway, device)
                .thenCompose(
                    reply ->
                        reply instanceof Reply.Done
                            ? agentOf(device).handle(request, payload)
                            : refused(device, payload, reply)));
  }

  private CompletionStage<Reply> refused(DeviceKey device, byte[] payload, Reply reply) {
    boolean unknown =
        reply instanceof Reply.Rejected rejected && rejected.reason() == Rejection.NOT_FOUND;
    String reason =
        reply instanceof Reply.Rejected rejected
            ? rejected.message()
            : "the gateway's authorization could not be checked; retry";
    toDeviceOf(device)
        .accept(
            new ToDevice(
                ManagementMessages.RESPONSE,
                ManagementMessages.response(
                    ManagedDeviceAgent.reqIdOf(payload),
                    unknown ? 404 : reply instanceof Reply.Rejected ? 403 : 500,
                    reason)));
    return CompletableFuture.completedFuture(new Reply.Done()); // answered: the PUBLISH is taken
  }

  private ManagedDeviceAgent agentOf(DeviceKey device) {
    return agents.computeIfAbsent(
        device,
        key -> {
          Consumer<ToDevice> toDevice = toDeviceOf(key);
          return new ManagedDeviceAgent(
              access.get().open(key, toDevice),
              location -> twins.updateLocation(key, location),
              toDevice);
        });
  }

  /** A gateway gets a device's messages on that device's topics; a device on its own. */
  private Consumer<ToDevice> toDeviceOf(DeviceKey device) {
    return session.isGateway()
        ? message ->
            toConnection.accept(
                new ToDevice(
                    GatewayTopics.managementTopic(device, message.topic()), message.payload()))
        : toConnection;
  }

  void close() {
    agents.values().forEach(ManagedDeviceAgent::close);
  }
}
