package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.mqtt.mgmt.ManagedDeviceAgent;
import io.entwine.mqtt.mgmt.ManagementAccess;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A device connection's {@code iotdevice-1/…} publishes (IBM's device management protocol), handed
 * to a {@link ManagedDeviceAgent} made at the first of them; what the device's entity sends back
 * goes to {@code toDevice}. Confined to the connection's event loop.
 */
final class ManagementPublishes {
  private final MqttSession session;
  private final Optional<ManagementAccess> access;
  private final int maxPayloadBytes;
  private final Consumer<ToDevice> toDevice;
  private final TwinAccess twins;
  private ManagedDeviceAgent agent;

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
    this.toDevice =
        message ->
            connection.onEventLoop(
                () -> {
                  if (!connection.isClosing()) {
                    deliveries.get().offerManagement(message);
                  }
                });
  }

  /**
   * A device's publish to a management topic, where the cluster has management; else {@code
   * other}'s.
   */
  PublishIntake.Intake intakeOr(PublishIntake other, MqttPublishMessage publish) {
    String topic = publish.topicName();
    byte[] payload = publish.payload().getBytes();
    return session.isDevice() && access.isPresent() && ManagedDeviceAgent.isManagementTopic(topic)
        ? intake(topic, payload)
        : other.intake(topic, payload, publish.qosLevel());
  }

  private PublishIntake.Intake intake(String topic, byte[] payload) {
    if (payload.length > maxPayloadBytes) {
      return PublishIntake.Intake.refused(
          "a payload of " + payload.length + " bytes is over the limit of " + maxPayloadBytes);
    }
    if (agent == null) {
      DeviceKey device = ((DevicePrincipal) session.principal()).device();
      agent =
          new ManagedDeviceAgent(
              access.get().open(device, toDevice),
              location -> twins.updateLocation(device, location),
              toDevice);
    }
    ManagedDeviceAgent handling = agent;
    return PublishIntake.Intake.of(() -> handling.handle(topic, payload));
  }

  void close() {
    if (agent != null) {
      agent.close();
    }
  }
}
