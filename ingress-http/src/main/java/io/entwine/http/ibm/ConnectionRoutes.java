package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.connections.ClientConnectionState;
import io.entwine.connections.ConnectionStates;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Json;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's connection monitoring of the Watson IoT Platform API v0002 (IBM Watson IoT Platform API
 * v0002 documentation: Problem determination, {@code GET /logs/connection}; Client connection
 * state, {@code GET /clientconnectionstates[/{clientId}]}), answered from what this cluster's MQTT
 * endpoints recorded ({@link ConnectionStates}), scoped to the API key's organization.
 */
public final class ConnectionRoutes extends ApiDirectives {
  static final int MAX_LOG_LIMIT = 20;
  static final int MAX_LOG_OFFSET = 1000;
  static final int DEFAULT_STATES_LIMIT = 25;
  static final int MAX_STATES_LIMIT = 100;
  private static final int MAX_CLIENT_ID_LENGTH = 256;

  private final ConnectionStates connections;
  private final Authentication authentication;

  public ConnectionRoutes(ConnectionStates connections, Authentication authentication) {
    this.connections = connections;
    this.authentication = authentication;
  }

  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002"),
        () ->
            get(
                () ->
                    concat(
                        path(
                            segment("logs").slash("connection"),
                            () ->
                                authentication.apiKey(key -> parameterMap(p -> log(key.org(), p)))),
                        pathPrefix(
                            "clientconnectionstates",
                            () ->
                                authentication.apiKey(
                                    key ->
                                        concat(
                                            pathEndOrSingleSlash(
                                                () -> parameterMap(p -> states(key.org(), p))),
                                            path(
                                                segment(),
                                                clientId -> state(key.org(), clientId))))))));
  }

  private static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  // ---- GET /logs/connection ----

  private Route log(String org, Map<String, String> params) {
    DeviceKey device;
    int limit;
    int offset;
    Optional<Instant> from;
    Optional<Instant> to;
    try {
      device = new DeviceKey(org, devicePart(params, "typeId"), devicePart(params, "deviceId"));
      limit = number(params, "limit", 1, MAX_LOG_LIMIT, MAX_LOG_LIMIT);
      offset = number(params, "offset", 0, MAX_LOG_OFFSET, 0);
      from = time(params, "fromTime");
      to = time(params, "toTime");
      if (from.isPresent() != to.isPresent()) {
        throw new BadRequest("fromTime and toTime go together");
      }
      if (from.isPresent() && from.get().isAfter(to.get())) {
        throw new BadRequest("fromTime must not be after toTime");
      }
    } catch (BadRequest e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        connections.log(device, limit, offset, from, to),
        entries -> {
          ArrayNode body = Json.MAPPER.createArrayNode();
          entries.forEach(
              entry ->
                  body.addObject()
                      .put("timestamp", entry.timestamp().toString())
                      .put("message", entry.message()));
          return complete(json(StatusCodes.OK, body));
        });
  }

  private static String devicePart(Map<String, String> params, String name) throws BadRequest {
    String value = params.get(name);
    if (value == null) {
      throw new BadRequest(name + " is required");
    }
    Optional<String> invalid = Ids.checkDevicePart(name, value);
    if (invalid.isPresent()) {
      throw new BadRequest(invalid.get());
    }
    return value;
  }

  private static Optional<Instant> time(Map<String, String> params, String name) throws BadRequest {
    String value = params.get(name);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(value).toInstant());
    } catch (DateTimeParseException e) {
      throw new BadRequest(
          name + " must be an ISO 8601 date and time with an offset, not '" + value + "'");
    }
  }

  private static int number(Map<String, String> params, String name, int min, int max, int absent)
      throws BadRequest {
    String value = params.get(name);
    if (value == null) {
      return absent;
    }
    try {
      int number = Integer.parseInt(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadRequest(name + " must be a whole number from " + min + " to " + max);
  }

  // ---- GET /clientconnectionstates ----

  private Route states(String org, Map<String, String> params) {
    int limit;
    String after;
    try {
      limit = number(params, "_limit", 1, MAX_STATES_LIMIT, DEFAULT_STATES_LIMIT);
      after = after(params.get("_bookmark"));
    } catch (BadRequest e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        connections.states(org, after, limit + 1),
        states -> {
          ObjectNode body = Json.MAPPER.createObjectNode();
          ArrayNode results = body.putArray("results");
          List<ClientConnectionState> page = states.subList(0, Math.min(limit, states.size()));
          page.forEach(state -> results.add(stateJson(state)));
          if (states.size() > limit) {
            String last = page.get(page.size() - 1).clientId();
            body.put(
                "bookmark",
                Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
          }
          return complete(json(StatusCodes.OK, body));
        });
  }

  /** The client id a bookmark continues after ("" without one). */
  private static String after(String bookmark) throws BadRequest {
    if (bookmark == null) {
      return "";
    }
    try {
      String clientId = new String(Base64.getUrlDecoder().decode(bookmark), StandardCharsets.UTF_8);
      if (!clientId.isEmpty() && clientId.length() <= MAX_CLIENT_ID_LENGTH) {
        return clientId;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw new BadRequest("Invalid _bookmark");
  }

  // ---- GET /clientconnectionstates/{clientId} ----

  private Route state(String org, String clientId) {
    if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "A client id has 1 to " + MAX_CLIENT_ID_LENGTH + " characters"));
    }
    return onSuccess(
        connections.state(org, clientId),
        state ->
            complete(
                state
                    .map(found -> json(StatusCodes.OK, stateJson(found)))
                    .orElseGet(
                        () ->
                            error(
                                StatusCodes.NOT_FOUND,
                                "No connection of client " + clientId + " was recorded"))));
  }

  /** IBM's client connection state document. */
  private static ObjectNode stateJson(ClientConnectionState state) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("id", state.clientId());
    body.put("clientType", state.clientType());
    body.put("connectionStatus", state.connected() ? "connected" : "disconnected");
    putTime(body, "lastConnectTime", state.lastConnect());
    putTime(body, "lastDisconnectTime", state.lastDisconnect());
    Instant lastActivity = state.lastConnect();
    if (lastActivity == null
        || (state.lastDisconnect() != null && state.lastDisconnect().isAfter(lastActivity))) {
      lastActivity = state.lastDisconnect();
    }
    putTime(body, "lastActivityTime", lastActivity);
    if (state.lastReason() != null) {
      body.put("lastDisconnectReason", state.lastReason());
    }
    if (state.protocol() != null) {
      body.put("mqttConnectProtocol", state.protocol().startsWith("mqtt3") ? "3.1" : "3.1.1");
    }
    return body;
  }

  private static void putTime(ObjectNode body, String field, Instant time) {
    if (time != null) {
      body.put(field, time.toString());
    }
  }
}
