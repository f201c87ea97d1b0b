package io.entwine.mqtt.mgmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.ingress.Timestamps;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagErrorCode;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagLog;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.mgmt.ManagementMessages;
import io.entwine.protocol.DeviceLocation;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The device side of IBM's device management protocol for one connected device (IBM Watson IoT
 * Platform documentation, Device management protocol, Device diagnostics): what the device
 * publishes on {@code iotdevice-1/…} becomes a command of its {@code ManagedDevice} entity, and
 * each request (everything but {@code iotdevice-1/response}) is answered on {@code
 * iotdm-1/response} with IBM's return code and the request's {@code reqId}: 200 once persisted, 400
 * for a malformed request, 404 for an unknown topic, 500 when the entity could not be reached.
 */
public final class ManagedDeviceAgent {
  /** The topics a managed device publishes to. */
  public static final String ROOT = "iotdevice-1/";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManagementAccess.Session session;
  private final Function<ObjectNode, CompletionStage<Reply>> locationUpdates;
  private final Consumer<ToDevice> toDevice;

  /** {@code locationUpdates} sets the device's location on its twin. */
  public ManagedDeviceAgent(
      ManagementAccess.Session session,
      Function<ObjectNode, CompletionStage<Reply>> locationUpdates,
      Consumer<ToDevice> toDevice) {
    this.session = session;
    this.locationUpdates = locationUpdates;
    this.toDevice = toDevice;
  }

  public static boolean isManagementTopic(String topic) {
    return topic.startsWith(ROOT);
  }

  /** The {@code reqId} of a request, or null when it has none (or is not JSON). */
  public static String reqIdOf(byte[] payload) {
    try {
      JsonNode reqId = JSON.readTree(payload).path("reqId");
      return reqId.isTextual() ? reqId.asText() : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** Handles one publish; completes once it is persisted (or answered with an error code). */
  public CompletionStage<Reply> handle(String topic, byte[] payload) {
    JsonNode body;
    try {
      body = JSON.readTree(payload);
    } catch (Exception e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      return answered(null, 400, "the message is not a JSON object");
    }
    String reqId = body.path("reqId").isTextual() ? body.path("reqId").asText() : null;
    JsonNode d = body.path("d");
    String command = topic.substring(ROOT.length());
    if ("response".equals(command)) {
      if (!body.path("rc").canConvertToInt() || reqId == null) {
        return CompletableFuture.completedFuture(new Reply.Done()); // nothing to answer to
      }
      int rc = body.path("rc").asInt();
      String message = body.path("message").isTextual() ? body.path("message").asText() : null;
      return session.ask(
          replyTo ->
              new ManagedDeviceProtocol.Respond(reqId, rc, message, Timestamps.now(), replyTo));
    }
    Instant now = Timestamps.now();
    if ("device/update/location".equals(command)) {
      return updateLocation(reqId, d, now);
    }
    Function<ActorRef<Reply>, ManagedDeviceProtocol.Command> request;
    switch (command) {
      case "mgmt/manage" -> {
        JsonNode supports = d.path("supports");
        request =
            replyTo ->
                new ManagedDeviceProtocol.Manage(
                    Math.max(0, d.path("lifetime").asLong(0)),
                    supports.path("deviceActions").asBoolean(false),
                    supports.path("firmwareActions").asBoolean(false),
                    d.has("deviceInfo") ? d.get("deviceInfo") : null,
                    d.has("metadata") ? d.get("metadata") : null,
                    now,
                    session.address(),
                    replyTo);
      }
      case "mgmt/unmanage" -> request = replyTo -> new ManagedDeviceProtocol.Unmanage(now, replyTo);
      case "add/diag/log" -> {
        if (!d.path("message").isTextual()) {
          return answered(reqId, 400, "d.message is required");
        }
        int severity = d.path("severity").asInt(0);
        if (severity < 0 || severity > 2) {
          return answered(reqId, 400, "d.severity is 0, 1 or 2");
        }
        Instant timestamp = timestamp(d.path("timestamp"), now);
        if (timestamp == null) {
          return answered(reqId, 400, "d.timestamp is not an ISO 8601 date and time");
        }
        DiagLog log =
            new DiagLog(
                UUID.randomUUID().toString(),
                d.path("message").asText(),
                severity,
                d.path("data").isTextual() ? d.path("data").asText() : null,
                timestamp);
        request = replyTo -> new ManagedDeviceProtocol.AddLog(log, replyTo);
      }
      case "clear/diag/log" -> request = ManagedDeviceProtocol.ClearLogs::new;
      case "add/diag/errorCodes" -> {
        if (!d.path("errorCode").canConvertToInt()) {
          return answered(reqId, 400, "d.errorCode is required and a number");
        }
        DiagErrorCode code = new DiagErrorCode(d.path("errorCode").asInt(), now);
        request = replyTo -> new ManagedDeviceProtocol.AddErrorCode(code, replyTo);
      }
      case "clear/diag/errorCodes" -> request = ManagedDeviceProtocol.ClearErrorCodes::new;
      case "notify" -> {
        JsonNode firmware = null;
        for (JsonNode field : d.path("fields")) {
          if ("mgmt.firmware".equals(field.path("field").asText())) {
            firmware = field.path("value");
          }
        }
        if (firmware == null || !firmware.isObject()) {
          return answered(reqId, 400, "only the mgmt.firmware field is observed");
        }
        JsonNode value = firmware;
        request = replyTo -> new ManagedDeviceProtocol.NotifyFirmware(value, now, replyTo);
      }
      default -> {
        return answered(reqId, 404, "unknown device management topic " + topic);
      }
    }
    return session
        .ask(request)
        .handle(
            (reply, failure) -> {
              if (reply instanceof Reply.Done) {
                respond(reqId, 200, null);
                return reply;
              }
              respond(reqId, 500, "the request could not be recorded; retry");
              return new Reply.Done(); // answered on iotdm-1/response: the PUBLISH is taken
            });
  }

  /**
   * IBM's Update location: the location is the twin's, as {@code PUT …/location} sets it; the
   * device's {@code updatedDateTime} is replaced by the time of receipt. Answered once persisted.
   */
  private CompletionStage<Reply> updateLocation(String reqId, JsonNode d, Instant now) {
    ObjectNode location;
    try {
      location = DeviceLocation.parse(d, now, Set.of("updatedDateTime"));
    } catch (DeviceLocation.Invalid e) {
      return answered(reqId, 400, e.getMessage());
    }
    return locationUpdates
        .apply(location)
        .handle(
            (reply, failure) -> {
              if (reply instanceof Reply.DeviceInfo) {
                respond(reqId, 200, null);
              } else if (reply instanceof Reply.Rejected rejected
                  && rejected.reason() == Rejection.NOT_FOUND) {
                respond(reqId, 404, "the device is not registered");
              } else {
                respond(reqId, 500, "the location could not be recorded; retry");
              }
              return new Reply.Done(); // answered on iotdm-1/response: the PUBLISH is taken
            });
  }

  private CompletionStage<Reply> answered(String reqId, int rc, String message) {
    respond(reqId, rc, message);
    return CompletableFuture.completedFuture(new Reply.Done());
  }

  private void respond(String reqId, int rc, String message) {
    toDevice.accept(
        new ToDevice(ManagementMessages.RESPONSE, ManagementMessages.response(reqId, rc, message)));
  }

  private static Instant timestamp(JsonNode value, Instant otherwise) {
    if (value.isMissingNode() || value.isNull()) {
      return otherwise;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The connection closed. */
  public void close() {
    session.close();
  }
}
