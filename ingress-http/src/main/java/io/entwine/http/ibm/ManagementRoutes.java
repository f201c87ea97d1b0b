package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.common.Authentication;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.mgmt.ActionRequests;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagErrorCode;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagLog;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's device management over the platform API v0002 (IBM Watson IoT Platform API v0002
 * documentation, Device Management requests and Device diagnostics), scoped to the API key's
 * organization: {@code GET|POST /api/v0002/mgmt/requests}, {@code GET|DELETE
 * /api/v0002/mgmt/requests/{id}}, {@code GET /api/v0002/mgmt/requests/{id}/deviceStatus}, and
 * {@code GET|POST|DELETE /api/v0002/device/types/{T}/devices/{ID}/diag/logs} and {@code
 * …/diag/errorCodes}. A request names an action, its parameters and existing devices of the
 * organization; anything else is refused whole with 400 and creates nothing.
 */
public final class ManagementRoutes extends PlatformDirectives {
  private final TwinGateway gateway;
  private final Authentication authentication;

  public ManagementRoutes(TwinGateway gateway, Authentication authentication) {
    this.gateway = gateway;
    this.authentication = authentication;
  }

  public Route route() {
    return concat(
        pathPrefix(
            segment("api").slash("v0002").slash("mgmt").slash("requests"),
            () -> authentication.apiKey(principal -> requests(principal.org()))),
        pathPrefix(
            DEVICE_PATH,
            (type, id) ->
                pathPrefix(
                    "diag",
                    () ->
                        apiKeyDevice(
                            authentication,
                            type,
                            id,
                            device ->
                                concat(
                                    path("logs", () -> existing(device, () -> logs(device))),
                                    path(
                                        "errorCodes",
                                        () -> existing(device, () -> errorCodes(device))))))));
  }

  private Route requests(String org) {
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(() -> completeReply(gateway.management().list(org), this::view)),
                    post(
                        () ->
                            parsedBody(
                                ManagementRoutes::newRequest, request -> initiate(org, request))))),
        pathPrefix(
            segment(),
            requestId ->
                concat(
                    pathEndOrSingleSlash(
                        () ->
                            concat(
                                get(
                                    () ->
                                        completeReply(
                                            gateway.management().get(org, requestId), this::view)),
                                delete(
                                    () ->
                                        completeReply(
                                            gateway.management().clear(org, requestId),
                                            done -> noContent())))),
                    path(
                        "deviceStatus",
                        () ->
                            get(
                                () ->
                                    completeReply(
                                        gateway.management().deviceStatus(org, requestId),
                                        this::view))))));
  }

  /** What a management request asks, checked: the devices' existence is checked next. */
  record NewRequest(String action, Map<String, String> parameters, List<String[]> devices) {}

  static NewRequest newRequest(ObjectNode body) {
    JsonNode action = body.get("action");
    if (action == null || !action.isTextual()) {
      throw invalid("action is required: one of " + ManagedDeviceProtocol.ACTIONS);
    }
    if (!ManagedDeviceProtocol.ACTIONS.contains(action.asText())) {
      throw invalid(
          "Unknown action '" + action.asText() + "': one of " + ManagedDeviceProtocol.ACTIONS);
    }
    boolean download = "firmware/download".equals(action.asText());
    Map<String, String> parameters = new LinkedHashMap<>();
    JsonNode given = body.get("parameters");
    if (given != null && !given.isNull()) {
      if (!given.isArray()) {
        throw invalid("parameters must be an array of {\"name\", \"value\"}");
      }
      for (JsonNode parameter : given) {
        String name = parameter.path("name").asText("");
        if (!download || !ManagedDeviceProtocol.FIRMWARE_PARAMETERS.contains(name)) {
          throw invalid("Parameter '" + name + "' is not one of " + action.asText());
        }
        if (!parameter.path("value").isTextual()) {
          throw invalid("Parameter '" + name + "' needs a string value");
        }
        parameters.put(name, parameter.path("value").asText());
      }
    }
    if (download && parameters.getOrDefault("uri", "").isBlank()) {
      throw invalid("firmware/download needs the parameter 'uri'");
    }
    JsonNode devices = body.get("devices");
    if (devices == null || !devices.isArray() || devices.isEmpty()) {
      throw invalid("devices must be a non-empty array of {\"typeId\", \"deviceId\"}");
    }
    if (devices.size() > ActionRequests.MAX_DEVICES) {
      throw invalid("A request names at most " + ActionRequests.MAX_DEVICES + " devices");
    }
    Set<String> seen = new LinkedHashSet<>();
    List<String[]> named = new ArrayList<>();
    for (JsonNode device : devices) {
      String type = device.path("typeId").asText("");
      String id = device.path("deviceId").asText("");
      Ids.checkDevicePart("typeId", type)
          .or(() -> Ids.checkDevicePart("deviceId", id))
          .ifPresent(
              message -> {
                throw invalid(message);
              });
      if (!seen.add(type + "/" + id)) {
        throw invalid("Device " + type + "/" + id + " is named twice");
      }
      named.add(new String[] {type, id});
    }
    return new NewRequest(action.asText(), parameters, named);
  }

  private Route initiate(String org, NewRequest request) {
    List<DeviceKey> devices =
        request.devices().stream().map(named -> new DeviceKey(org, named[0], named[1])).toList();
    return onSuccess(
        missingDevice(devices),
        missing ->
            missing != null
                ? complete(
                    error(
                        StatusCodes.BAD_REQUEST,
                        "Device "
                            + missing.type()
                            + "/"
                            + missing.id()
                            + " is not a device of the organization"))
                : completeReply(
                    gateway
                        .management()
                        .initiate(org, request.action(), request.parameters(), devices),
                    this::accepted));
  }

  /** The first of {@code devices} that is not registered, or null when all are. */
  private CompletionStage<DeviceKey> missingDevice(List<DeviceKey> devices) {
    List<CompletableFuture<DeviceKey>> checks = new ArrayList<>();
    for (DeviceKey device : devices) {
      checks.add(
          gateway
              .devices()
              .get(device)
              .thenApply(reply -> reply instanceof Reply.DeviceInfo ? null : device)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
        .thenApply(
            all ->
                checks.stream()
                    .map(CompletableFuture::join)
                    .filter(d -> d != null)
                    .findFirst()
                    .orElse(null));
  }

  /** IBM answers an initiated request with 202 and its id as {@code reqId}. */
  private HttpResponse accepted(Reply reply) {
    ObjectNode body = ((ObjectNode) ((Reply.ManagementView) reply).body()).deepCopy();
    String id = body.path("id").asText();
    body.put("reqId", id);
    return json(StatusCodes.ACCEPTED, body)
        .addHeader(Location.create("/api/v0002/mgmt/requests/" + id));
  }

  // ---- diagnostics ----

  private Route logs(DeviceKey device) {
    return concat(
        get(() -> completeReply(gateway.management().logs(device), this::view)),
        post(
            () ->
                parsedBody(
                    ManagementRoutes::newLog,
                    log ->
                        completeReply(
                            gateway.management().addLog(device, log), done -> created()))),
        delete(() -> completeReply(gateway.management().clearLogs(device), done -> noContent())));
  }

  private Route errorCodes(DeviceKey device) {
    return concat(
        get(() -> completeReply(gateway.management().errorCodes(device), this::view)),
        post(
            () ->
                parsedBody(
                    ManagementRoutes::newErrorCode,
                    code ->
                        completeReply(
                            gateway.management().addErrorCode(device, code), done -> created()))),
        delete(
            () ->
                completeReply(gateway.management().clearErrorCodes(device), done -> noContent())));
  }

  static DiagLog newLog(ObjectNode body) {
    if (!body.path("message").isTextual()) {
      throw invalid("message is required");
    }
    int severity = body.path("severity").asInt(0);
    if (!body.path("severity").isMissingNode()
        && (!body.path("severity").isInt() || severity < 0 || severity > 2)) {
      throw invalid("severity is 0 (informational), 1 (warning) or 2 (error)");
    }
    if (!isStringOrAbsent(body, "data")) {
      throw invalid("data is base64 text");
    }
    return new DiagLog(
        UUID.randomUUID().toString(),
        body.get("message").asText(),
        severity,
        optionalText(body, "data"),
        timestamp(body));
  }

  static DiagErrorCode newErrorCode(ObjectNode body) {
    if (!body.path("errorCode").isInt()) {
      throw invalid("errorCode is required and an integer");
    }
    return new DiagErrorCode(body.get("errorCode").asInt(), timestamp(body));
  }

  private static Instant timestamp(ObjectNode body) {
    String given = optionalText(body, "timestamp");
    try {
      return given == null ? Timestamps.now() : Instant.parse(given);
    } catch (DateTimeParseException e) {
      throw invalid("timestamp is an ISO 8601 date and time");
    }
  }

  /** {@code inner} when {@code device} is registered; 404 when it is not. */
  private Route existing(DeviceKey device, Supplier<Route> inner) {
    return onSuccess(
        gateway.devices().get(device),
        reply ->
            reply instanceof Reply.DeviceInfo
                ? inner.get()
                : completeReply(CompletableFuture.completedFuture(reply), r -> noContent()));
  }

  private HttpResponse view(Reply reply) {
    return json(StatusCodes.OK, ((Reply.ManagementView) reply).body());
  }

  private static HttpResponse created() {
    return HttpResponse.create().withStatus(StatusCodes.CREATED);
  }

  private static HttpResponse noContent() {
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
  }

  private static PlatformBodies.InvalidBody invalid(String message) {
    return new PlatformBodies.InvalidBody(message);
  }
}
