package io.entwine.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.DeviceMessage;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Everything the MQTT endpoint asks of the twins, one method per call, each answered with the
 * twins' {@link Reply} ({@code Done} or a rejection). Production goes through {@link
 * io.entwine.ingress.TwinGateway} ({@link GatewayTwinAccess}); endpoint tests use a fake.
 */
public interface TwinAccess {

  /**
   * Done when {@code token} is the token of a registered, enabled device. Records nothing. {@code
   * address} is the client's (for the node's limit on requests for unknown devices).
   */
  CompletionStage<Reply> authenticateDevice(DeviceKey device, String token, String address);

  /** Done when {@code token} is the token of API key {@code key} of organization {@code org}. */
  CompletionStage<Reply> authenticateApiKey(String org, String key, String token, String address);

  /** Records an event the device published itself; Done means persisted. */
  CompletionStage<Reply> recordEvent(DeviceMessage message, String deviceToken);

  /**
   * Records events a device published one after another (all of one device) in one write; Done
   * means all are persisted.
   */
  CompletionStage<Reply> recordEvents(List<DeviceMessage> messages, String deviceToken);

  /**
   * Records an event an application published on behalf of a device of its own organization; {@code
   * apiKey} was authenticated at CONNECT. Done means persisted.
   */
  CompletionStage<Reply> recordApplicationEvent(DeviceMessage message, String apiKey);

  /**
   * Records an event gateway {@code gateway}, authenticated at CONNECT, published for another
   * device of its organization: Done once persisted, FORBIDDEN when the gateway may not act for it;
   * an unregistered device is registered for the gateway first (docs/adr/0057). A refusal of the
   * device's (not the organization's admission) is answered with what {@code deviceRefused} makes
   * of it.
   */
  CompletionStage<Reply> recordGatewayEvent(
      DeviceMessage message, DeviceKey gateway, Function<Reply.Rejected, Reply> deviceRefused);

  /**
   * Done when gateway {@code gateway} may act for {@code device} (registered, enabled, its {@code
   * via} names the gateway); the twin's refusal otherwise.
   */
  CompletionStage<Reply> mayActFor(DeviceKey gateway, DeviceKey device);

  /**
   * Queues a command an application published for {@code device} on its twin, with the default time
   * to live: {@code CommandAccepted} once persisted, LIMIT_EXCEEDED when the device already has the
   * maximum waiting, NOT_FOUND for an unregistered device.
   */
  CompletionStage<Reply> queueCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload);

  /** The device's state document as the device presenting {@code deviceToken} reads it. */
  CompletionStage<Reply> deviceState(DeviceKey device, String deviceToken);

  /**
   * Merges {@code patch} into the reported state of the device presenting {@code deviceToken}:
   * {@code StateView} once persisted, or a rejection (INVALID, TOO_LARGE).
   */
  CompletionStage<Reply> patchReported(DeviceKey device, String deviceToken, ObjectNode patch);

  /**
   * Merges {@code patches} into the reported state of the device presenting {@code deviceToken},
   * one after another, in one write: {@code ReportedPatchesApplied} once persisted (per patch, null
   * or why it was refused), or a refusal of the device.
   */
  CompletionStage<Reply> patchReportedInOrder(
      DeviceKey device, String deviceToken, List<ObjectNode> patches);

  /**
   * Merges an application's {@code patch} into {@code device}'s desired state, at {@code version}
   * unless it is null: {@code StateView} once persisted, {@code StateVersionMismatch}, or a
   * rejection (NOT_FOUND, INVALID, TOO_LARGE).
   */
  CompletionStage<Reply> changeDesired(DeviceKey device, ObjectNode patch, Long version);

  /**
   * Sets the location of {@code device}, authenticated at CONNECT, from its device management
   * protocol ({@link io.entwine.protocol.DeviceLocation}): {@code DeviceInfo} once persisted.
   */
  CompletionStage<Reply> updateLocation(DeviceKey device, ObjectNode location);
}
