package io.entwine.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The MQTT endpoint's calls, each one call on the one ingress path, {@link TwinGateway}. */
public final class GatewayTwinAccess implements TwinAccess {
  private final TwinGateway gateway;

  public GatewayTwinAccess(TwinGateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public CompletionStage<Reply> authenticateDevice(DeviceKey device, String token, String address) {
    return gateway.authenticateDevice(device, token, address);
  }

  @Override
  public CompletionStage<Reply> authenticateApiKey(
      String org, String key, String token, String address) {
    return gateway.authenticateApiKey(org, key, token, address);
  }

  @Override
  public CompletionStage<Reply> recordEvent(DeviceMessage message, String deviceToken) {
    return gateway.recordEvent(message, deviceToken);
  }

  @Override
  public CompletionStage<Reply> recordEvents(List<DeviceMessage> messages, String deviceToken) {
    return gateway.recordEvents(messages, deviceToken);
  }

  @Override
  public CompletionStage<Reply> recordApplicationEvent(DeviceMessage message, String apiKey) {
    return gateway.recordApplicationEvent(message, apiKey);
  }

  @Override
  public CompletionStage<Reply> queueCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload) {
    return gateway.commands().queue(device, commandId, command, format, payload, null);
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
  public CompletionStage<Reply> changeDesired(DeviceKey device, ObjectNode patch, Long version) {
    return gateway.states().changeDesired(device, patch, false, version);
  }
}
