package io.entwine.ingress;

import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ActionRequests;
import io.entwine.mgmt.ManagedDevice;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagErrorCode;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagLog;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * IBM's device management (IBM Watson IoT Platform API v0002 documentation, Device management and
 * Device diagnostics), as the HTTP edge asks for it through {@link TwinGateway#management()}: the
 * organization's management requests ({@link ActionRequests}) and a device's managed state and
 * diagnostics ({@link ManagedDevice}). The MQTT edge speaks to {@link ManagedDevice} for the device
 * itself.
 */
public final class ManagementRequests {
  private final TwinGateway twinGateway;

  ManagementRequests(TwinGateway gateway) {
    this.twinGateway = gateway;
  }

  /** A new request (a fresh id) for existing devices of {@code org}: its view once persisted. */
  public CompletionStage<Reply> initiate(
      String org, String action, Map<String, String> parameters, List<DeviceKey> devices) {
    String requestId = UUID.randomUUID().toString();
    return twinGateway.ask(
        requests(org),
        replyTo ->
            new ActionRequests.Initiate(
                new ActionRequests.RequestInitiated(
                    requestId, action, parameters, devices, Timestamps.now()),
                replyTo));
  }

  public CompletionStage<Reply> list(String org) {
    return twinGateway.ask(requests(org), ActionRequests.ListRequests::new);
  }

  public CompletionStage<Reply> get(String org, String requestId) {
    return twinGateway.ask(requests(org), replyTo -> new ActionRequests.Get(requestId, replyTo));
  }

  public CompletionStage<Reply> deviceStatus(String org, String requestId) {
    return twinGateway.ask(
        requests(org), replyTo -> new ActionRequests.GetDeviceStatus(requestId, replyTo));
  }

  public CompletionStage<Reply> clear(String org, String requestId) {
    return twinGateway.ask(requests(org), replyTo -> new ActionRequests.Clear(requestId, replyTo));
  }

  /** The device's {@code mgmt}, or NOT_FOUND when it is not managed. */
  public CompletionStage<Reply> management(DeviceKey device) {
    return askDevice(
        device, replyTo -> new ManagedDeviceProtocol.GetManagement(Timestamps.now(), replyTo));
  }

  public CompletionStage<Reply> logs(DeviceKey device) {
    return askDevice(device, ManagedDeviceProtocol.GetLogs::new);
  }

  public CompletionStage<Reply> addLog(DeviceKey device, DiagLog log) {
    return askDevice(device, replyTo -> new ManagedDeviceProtocol.AddLog(log, replyTo));
  }

  public CompletionStage<Reply> clearLogs(DeviceKey device) {
    return askDevice(device, ManagedDeviceProtocol.ClearLogs::new);
  }

  public CompletionStage<Reply> errorCodes(DeviceKey device) {
    return askDevice(device, ManagedDeviceProtocol.GetErrorCodes::new);
  }

  public CompletionStage<Reply> addErrorCode(DeviceKey device, DiagErrorCode code) {
    return askDevice(device, replyTo -> new ManagedDeviceProtocol.AddErrorCode(code, replyTo));
  }

  public CompletionStage<Reply> clearErrorCodes(DeviceKey device) {
    return askDevice(device, ManagedDeviceProtocol.ClearErrorCodes::new);
  }

  private CompletionStage<Reply> askDevice(
      DeviceKey device, Function<ActorRef<Reply>, ManagedDeviceProtocol.Command> command) {
    return twinGateway.ask(
        twinGateway.entity(ManagedDevice.ENTITY_KEY, device.entityId()), command);
  }

  private EntityRef<ActionRequests.Command> requests(String org) {
    return twinGateway.entity(ActionRequests.ENTITY_KEY, org);
  }
}
