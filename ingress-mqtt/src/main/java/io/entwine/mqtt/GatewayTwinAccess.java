package io.entwine.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Admission;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.GatewayEvents;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The MQTT endpoint's calls, each one call on the one ingress path, {@link TwinGateway}, with the
 * organization's {@link Admission} in front of what devices send, as Eclipse Hono's MQTT adapter
 * does (Eclipse Hono 1.2 MQTT adapter user guide, "Resource Limit Checks" and "Tenant specific
 * Configuration"): a device of an organization that switched the {@code ibm-mqtt} adapter off is
 * refused at CONNECT, and an event refused by admission (adapter off, payload over the
 * organization's limit, budget used up) answers a rejection, on which the connection closes with
 * the message neither recorded nor acknowledged (MQTT 3.1.1 has no negative acknowledgement).
 */
public final class GatewayTwinAccess implements TwinAccess {
  private final TwinGateway gateway;
  private final Admission admission;
  private final GatewayEvents gatewayEvents;

  public GatewayTwinAccess(TwinGateway gateway, OrganizationPolicies policies) {
    this.gateway = gateway;
    this.admission = new Admission(policies, gateway, "mqtt");
    this.gatewayEvents = new GatewayEvents(gateway);
  }

  @Override
  public CompletionStage<Reply> authenticateDevice(DeviceKey device, String token, String address) {
    return gateway
        .authenticateDevice(device, token, address)
        .thenCompose(
            reply ->
                reply instanceof Reply.Done
                    ? admission
                        .adapterEnabled(device.org(), s -> s.adapterEnabled(Admission.IBM_MQTT))
                        .thenApply(decision -> adapterAllows(decision) ? reply : refused(decision))
                    : CompletableFuture.completedFuture(reply));
  }

  @Override
  public CompletionStage<Reply> authenticateApiKey(
      String org, String key, String token, String address) {
    return gateway.authenticateApiKey(org, key, token, address);
  }

  @Override
  public CompletionStage<Reply> recordEvent(DeviceMessage message, String deviceToken) {
    return admitted(List.of(message), () -> gateway.recordEvent(message, deviceToken));
  }

  @Override
  public CompletionStage<Reply> recordEvents(List<DeviceMessage> messages, String deviceToken) {
    return admitted(messages, () -> gateway.recordEvents(messages, deviceToken));
  }

  @Override
  public CompletionStage<Reply> recordApplicationEvent(DeviceMessage message, String apiKey) {
    return admitted(List.of(message), () -> gateway.recordApplicationEvent(message, apiKey));
  }

  @Override
  public CompletionStage<Reply> recordGatewayEvent(
      DeviceMessage message, DeviceKey gateway, Function<Reply.Rejected, Reply> deviceRefused) {
    // Admission's refusal (the organization's) and the device's look alike: the device's answer is
    // told apart by identity. Admission gives the budget back on either before this sees it.
    AtomicReference<Reply> fromDevice = new AtomicReference<>();
    return admitted(
            List.of(message),
            () ->
                gatewayEvents
                    .recordFor(gateway, message)
                    .thenApply(
                        reply -> {
                          fromDevice.set(reply);
                          return reply;
                        }))
        .thenApply(
            reply ->
                reply instanceof Reply.Rejected rejected && reply == fromDevice.get()
                    ? deviceRefused.apply(rejected)
                    : reply);
  }

  @Override
  public CompletionStage<Reply> mayActFor(DeviceKey gateway, DeviceKey device) {
    return this.gateway.devices().checkSender(device, gateway);
  }

  @Override
  public CompletionStage<Reply> queueCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload) {
    return gateway.commands().queue(device, commandId, command, format, payload, null);
  }

  /** {@code record} of {@code messages} (all of one organization) if admission lets them in. */
  private CompletionStage<Reply> admitted(
      List<DeviceMessage> messages, Supplier<CompletionStage<Reply>> record) {
    int largest = 0;
    for (DeviceMessage message : messages) {
      largest = Math.max(largest, message.payload().length);
    }
    // the node's own payload limit was applied when the PUBLISH was read (PublishIntake)
    return admission
        .admit(messages.get(0).device().org(), Admission.IBM_MQTT, messages.size(), largest, 0)
        .thenCompose(
            decision ->
                decision.admitted()
                    ? admission.record(decision, record)
                    : CompletableFuture.completedFuture(refused(decision)));
  }

  /** An organization that is unknown here leaves the answer to its twins, as before admission. */
  private static boolean adapterAllows(Admission.Decision decision) {
    return decision.admitted()
        || decision.refusal().reason() == Admission.Reason.UNKNOWN_ORGANIZATION;
  }

  /** Why the connection closes (or CONNACK refuses), as the close reason and log line say it. */
  private static Reply refused(Admission.Decision decision) {
    Admission.Refusal refusal = decision.refusal();
    Rejection reason =
        switch (refusal.reason()) {
          case UNKNOWN_ORGANIZATION, ADAPTER_DISABLED -> Rejection.FORBIDDEN;
          case PAYLOAD_TOO_LARGE -> Rejection.INVALID;
          case OVER_BUDGET -> Rejection.LIMIT_EXCEEDED;
        };
    return new Reply.Rejected(reason, refusal.message("Organization", "MQTT adapter (ibm-mqtt)"));
  }

  @Override
  public CompletionStage<Reply> deviceState(DeviceKey device, String deviceToken) {
    return gateway.states().deviceState(device, deviceToken, null);
  }

  @Override
  public CompletionStage<Reply> patchReported(
      DeviceKey device, String deviceToken, ObjectNode patch) {
    return gateway.states().patchReported(device, deviceToken, patch, null, null);
  }

  @Override
  public CompletionStage<Reply> patchReportedInOrder(
      DeviceKey device, String deviceToken, List<ObjectNode> patches) {
    return gateway.states().patchReportedInOrder(device, deviceToken, patches);
  }

  @Override
  public CompletionStage<Reply> changeDesired(DeviceKey device, ObjectNode patch, Long version) {
    return gateway.states().changeDesired(device, patch, false, version);
  }

  @Override
  public CompletionStage<Reply> updateLocation(DeviceKey device, ObjectNode location) {
    return gateway.devices().updateProfile(device, new DeviceProfile(null, location));
  }
}
