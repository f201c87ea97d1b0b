package io.entwine.http.integrations;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.http.server.HttpSettings;
import io.entwine.integration.HttpIntegrations;
import io.entwine.integration.Integration;
import io.entwine.integration.IntegrationReply;
import io.entwine.integration.IntegrationSpec;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * ThingsBoard-style HTTP integrations. Management (API key): {@code POST/GET
 * /api/v0002/integrations}, {@code GET/PUT/DELETE /api/v0002/integrations/{id}}, and the debug
 * events at {@code GET .../{id}/events}. Senders: {@code POST
 * /api/v1/integrations/http/{routingKey}}, authenticated only by the unguessable routing key and
 * the integration's security headers, as in ThingsBoard.
 */
public final class IntegrationRoutes extends ApiDirectives {
  static final int MAX_SCRIPT_CHARS = 65536;
  static final int MAX_NAME_CHARS = 255;
  private static final String MASKED = "********";

  private final HttpIntegrations integrations;
  private final Authentication authentication;
  private final IntegrationSenderRoutes senders;

  public IntegrationRoutes(
      HttpIntegrations integrations, Authentication authentication, HttpSettings settings) {
    this.integrations = integrations;
    this.authentication = authentication;
    this.senders = new IntegrationSenderRoutes(integrations, settings);
  }

  public record ConverterJson(String script) {}

  public record IntegrationJson(
      String id,
      String name,
      String type,
      String routingKey,
      String endpoint,
      ConverterJson uplinkConverter,
      ConverterJson downlinkConverter,
      boolean allowCreateDevices,
      Map<String, String> securityHeaders,
      boolean replaceNoContentWithOk,
      boolean debug,
      Instant created,
      Instant updated) {}

  public record IntegrationList(List<IntegrationJson> results) {}

  public record DebugEventList(List<Integration.DebugEvent> events) {}

  public Route route() {
    return concat(senders.route(), management());
  }

  // ---- management ----

  private Route management() {
    return pathPrefix(
        segment("api").slash("v0002").slash("integrations"),
        () ->
            authentication.apiKey(
                principal ->
                    extractRequest(
                        request -> {
                          String base = baseUrl(request);
                          return concat(
                              pathEndOrSingleSlash(
                                  () ->
                                      concat(
                                          post(() -> create(principal, base)),
                                          get(() -> list(principal, base)))),
                              pathPrefix(segment(), id -> integration(principal, id, base)));
                        })));
  }

  private Route integration(ApiKeyPrincipal principal, String id, String base) {
    String org = principal.org();
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(() -> found(integrations.get(org, id), base, StatusCodes.OK)),
                    put(() -> update(principal, id, base)),
                    delete(
                        () ->
                            completeEntityReply(
                                integrations.delete(org, id),
                                done ->
                                    HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))),
        path(
            "events",
            () ->
                get(
                    () ->
                        completeEntityReply(
                            integrations.debugEvents(org, id),
                            events ->
                                json(
                                    StatusCodes.OK,
                                    new DebugEventList(
                                        ((IntegrationReply.DebugEvents) events).events()))))));
  }

  private Route create(ApiKeyPrincipal principal, String base) {
    return withSpec(
        spec ->
            completeEntityReply(
                integrations.create(principal.org(), spec),
                created -> {
                  IntegrationJson json = toJson((IntegrationReply.Found) created, base);
                  return json(StatusCodes.CREATED, json)
                      .addHeader(Location.create("/api/v0002/integrations/" + json.id()));
                }));
  }

  private Route update(ApiKeyPrincipal principal, String id, String base) {
    return withSpec(
        spec -> found(integrations.update(principal.org(), id, spec), base, StatusCodes.OK));
  }

  private Route list(ApiKeyPrincipal principal, String base) {
    return completeOk(
        integrations.list(principal.org()),
        found -> new IntegrationList(found.stream().map(f -> toJson(f, base)).toList()));
  }

  private Route found(
      CompletionStage<IntegrationReply> reply,
      String base,
      org.apache.pekko.http.javadsl.model.StatusCode status) {
    return completeEntityReply(
        reply, found -> json(status, toJson((IntegrationReply.Found) found, base)));
  }

  private static IntegrationJson toJson(IntegrationReply.Found found, String base) {
    Integration.Settings s = found.settings();
    Map<String, String> masked = new LinkedHashMap<>();
    s.securityHeaders().keySet().forEach(name -> masked.put(name, MASKED));
    return new IntegrationJson(
        s.id(),
        s.name(),
        s.type(),
        found.routingKey(),
        base + "/api/v1/integrations/http/" + found.routingKey(),
        new ConverterJson(s.uplinkScript()),
        s.downlinkScript() == null ? null : new ConverterJson(s.downlinkScript()),
        s.allowCreateDevices(),
        masked,
        s.replaceNoContentWithOk(),
        s.debug(),
        found.created(),
        found.updated());
  }

  /** Where senders reach this node, as the API client addressed it. */
  private static String baseUrl(HttpRequest request) {
    var uri = request.getUri();
    return uri.scheme() + "://" + uri.host().address() + (uri.port() > 0 ? ":" + uri.port() : "");
  }

  // ---- the request body ----

  /** The integration the JSON body describes, or 400 saying what is wrong with it. */
  private Route withSpec(Function<IntegrationSpec, Route> inner) {
    return jsonObject(false, body -> withSpec(body, inner));
  }

  private Route withSpec(ObjectNode body, Function<IntegrationSpec, Route> inner) {
    String problem = problemWith(body);
    if (problem != null) {
      return complete(error(StatusCodes.BAD_REQUEST, problem));
    }
    JsonNode downlink = body.get("downlinkConverter");
    return inner.apply(
        new IntegrationSpec(
            body.get("name").textValue(),
            IntegrationSpec.HTTP,
            body.get("uplinkConverter").get("script").textValue(),
            downlink == null || downlink.isNull() ? null : downlink.get("script").textValue(),
            body.path("allowCreateDevices").asBoolean(true),
            securityHeaders(body.get("securityHeaders")),
            body.path("replaceNoContentWithOk").asBoolean(false),
            body.path("debug").asBoolean(false)));
  }

  /** What is wrong with the body, or null. */
  private static String problemWith(ObjectNode body) {
    JsonNode name = body.get("name");
    if (name == null || !name.isTextual() || name.textValue().isBlank()) {
      return "'name' is required (a string)";
    }
    if (name.textValue().length() > MAX_NAME_CHARS) {
      return "'name' has at most " + MAX_NAME_CHARS + " characters";
    }
    JsonNode type = body.get("type");
    if (type != null && !type.isNull() && !IntegrationSpec.HTTP.equals(type.asText())) {
      return "'type' must be \"HTTP\" (MQTT brokers are bridged with /api/v0002/bridges/mqtt)";
    }
    String uplink = converterProblem(body.get("uplinkConverter"), "uplinkConverter", true);
    if (uplink != null) {
      return uplink;
    }
    String downlink = converterProblem(body.get("downlinkConverter"), "downlinkConverter", false);
    if (downlink != null) {
      return downlink;
    }
    for (String flag : List.of("allowCreateDevices", "replaceNoContentWithOk", "debug")) {
      JsonNode value = body.get(flag);
      if (value != null && !value.isNull() && !value.isBoolean()) {
        return "'" + flag + "' must be true or false";
      }
    }
    JsonNode headers = body.get("securityHeaders");
    if (headers != null && !headers.isNull()) {
      if (!headers.isObject()) {
        return "'securityHeaders' must be an object of header names and values";
      }
      Iterator<Map.Entry<String, JsonNode>> fields = headers.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getValue().isTextual() || !isToken(field.getKey())) {
          return "'securityHeaders' must map header names to string values";
        }
      }
    }
    return null;
  }

  private static String converterProblem(JsonNode converter, String field, boolean required) {
    if (converter == null || converter.isNull()) {
      return required ? "'" + field + "' is required: {\"script\": \"...\"}" : null;
    }
    JsonNode script = converter.get("script");
    if (!converter.isObject() || script == null || !script.isTextual()) {
      return "'" + field + "' must be {\"script\": \"...\"}";
    }
    if (script.textValue().length() > MAX_SCRIPT_CHARS) {
      return "'" + field + ".script' has at most " + MAX_SCRIPT_CHARS + " characters";
    }
    return null;
  }

  /** An HTTP header name (RFC 9110 token). */
  private static boolean isToken(String name) {
    return !name.isEmpty()
        && name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
  }

  private static Map<String, String> securityHeaders(JsonNode headers) {
    if (headers == null || headers.isNull()) {
      return null;
    }
    Map<String, String> plain = new LinkedHashMap<>();
    headers
        .fields()
        .forEachRemaining(field -> plain.put(field.getKey(), field.getValue().textValue()));
    return plain;
  }
}
