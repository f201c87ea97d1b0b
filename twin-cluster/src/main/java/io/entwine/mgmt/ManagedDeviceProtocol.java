package io.entwine.mgmt;

import static io.entwine.protocol.JsonValues.absentIfNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The commands and events of a {@link ManagedDevice}: what IBM's device management protocol (IBM
 * Watson IoT Platform documentation, Device management protocol) lets a device and the platform say
 * about it.
 */
public final class ManagedDeviceProtocol {
  private ManagedDeviceProtocol() {}

  /** The actions a management request may name. */
  public static final Set<String> ACTIONS =
      Set.of("device/reboot", "device/factoryReset", "firmware/download", "firmware/update");

  /** The parameters of a firmware download: the {@code mgmt.firmware} attributes it sets. */
  public static final List<String> FIRMWARE_PARAMETERS =
      List.of("uri", "name", "verifier", "version");

  /** A message for the device, published to it on an {@code iotdm-1/…} topic. */
  public record ToDevice(String topic, byte[] payload) implements CborSerializable {}

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /** A command that is answered ({@code Done}, a view, or a rejection). */
  public sealed interface Answered extends Command {
    ActorRef<Reply> replyTo();
  }

  /**
   * {@code iotdevice-1/mgmt/manage}: the device becomes (or stays) managed; {@code connection} is
   * where platform requests reach it from now on.
   */
  public record Manage(
      long lifetime,
      boolean deviceActions,
      boolean firmwareActions,
      JsonNode deviceInfo,
      JsonNode metadata,
      Instant at,
      ActorRef<ToDevice> connection,
      ActorRef<Reply> replyTo)
      implements Answered {
    public Manage {
      deviceInfo = absentIfNull(deviceInfo);
      metadata = absentIfNull(metadata);
    }
  }

  /** {@code iotdevice-1/mgmt/unmanage}. */
  public record Unmanage(Instant at, ActorRef<Reply> replyTo) implements Answered {}

  /** A diagnostic log entry, from the device or the API. */
  public record AddLog(DiagLog log, ActorRef<Reply> replyTo) implements Answered {}

  public record ClearLogs(ActorRef<Reply> replyTo) implements Answered {}

  /** A current error code, from the device or the API. */
  public record AddErrorCode(DiagErrorCode errorCode, ActorRef<Reply> replyTo)
      implements Answered {}

  public record ClearErrorCodes(ActorRef<Reply> replyTo) implements Answered {}

  /** {@code iotdevice-1/notify} of {@code mgmt.firmware}: the attributes the device changed. */
  public record NotifyFirmware(JsonNode firmware, Instant at, ActorRef<Reply> replyTo)
      implements Answered {}

  /** {@code iotdevice-1/response}: the device's return code for a platform request. */
  public record Respond(String reqId, int rc, String message, Instant at, ActorRef<Reply> replyTo)
      implements Answered {}

  /** {@link Reply.ManagementView} of the device's {@code mgmt}, or NOT_FOUND when unmanaged. */
  public record GetManagement(Instant now, ActorRef<Reply> replyTo) implements Answered {}

  /** {@link Reply.ManagementView}: the diagnostic logs, oldest first. */
  public record GetLogs(ActorRef<Reply> replyTo) implements Answered {}

  /** {@link Reply.ManagementView}: the error codes, oldest first. */
  public record GetErrorCodes(ActorRef<Reply> replyTo) implements Answered {}

  /**
   * The device's connection is (still) {@code connection}: sent again now and then by the
   * connection, so an entity that restarted or moved knows where the device is. Not answered.
   */
  public record Attach(ActorRef<ToDevice> connection) implements Command {}

  /**
   * Start action {@code action} of request {@code requestId} of the organization's {@link
   * ActionRequests}; the outcome is told to it. A start of the action in progress (or the last one
   * ended) is not started again. Not answered.
   */
  public record Start(String requestId, String action, Map<String, String> parameters, Instant at)
      implements Command {}

  /**
   * The request gave up on this device ({@code outcome}, e.g. timed out): the action of that
   * request, if it is still in progress, ends without asking the device again. Not answered.
   */
  public record Abandon(ActionOutcome outcome) implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record Managed(
      long lifetime,
      boolean deviceActions,
      boolean firmwareActions,
      JsonNode deviceInfo,
      JsonNode metadata,
      Instant at)
      implements Event {
    public Managed {
      deviceInfo = absentIfNull(deviceInfo);
      metadata = absentIfNull(metadata);
    }
  }

  public record Unmanaged(Instant at) implements Event {}

  public record LogAdded(DiagLog log) implements Event {}

  public record LogsCleared() implements Event {}

  public record ErrorCodeAdded(DiagErrorCode errorCode) implements Event {}

  public record ErrorCodesCleared() implements Event {}

  /** The device's {@code mgmt.firmware} attributes after a change (all of them). */
  public record FirmwareChanged(JsonNode firmware, Instant at) implements Event {}

  /** An action of a request started, at its first step. */
  public record ActionStarted(
      String requestId, String action, Map<String, String> parameters, ActionStep step, Instant at)
      implements Event {}

  /** The action in progress went on to {@code step}. */
  public record ActionStepped(ActionStep step) implements Event {}

  /** The action in progress ended; the request was told the outcome. */
  public record ActionEnded(ActionOutcome outcome) implements Event {}

  // ---- parts ----

  /** A diagnostic log entry: severity 0 informational, 1 warning, 2 error; data base64. */
  public record DiagLog(String id, String message, int severity, String data, Instant timestamp)
      implements CborSerializable {}

  public record DiagErrorCode(int errorCode, Instant timestamp) implements CborSerializable {}

  /** Where an action is: waiting for the device's answer to what was sent in this step. */
  public enum ActionStep {
    /** {@code iotdm-1/device/update} of {@code mgmt.firmware} sent (firmware download). */
    UPDATE_SENT,
    /** {@code iotdm-1/observe} of {@code mgmt.firmware} sent (firmware actions). */
    OBSERVE_SENT,
    /** {@code iotdm-1/mgmt/initiate/…} sent. */
    INITIATE_SENT,
    /** The device accepted (202): a reboot ends with its next manage, firmware with a notify. */
    ACCEPTED
  }

  /** How a device's part of a request ended: IBM's return code and message. */
  public record ActionOutcome(String requestId, boolean success, int rc, String message, Instant at)
      implements CborSerializable {}
}
