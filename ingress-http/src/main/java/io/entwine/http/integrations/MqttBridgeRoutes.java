package io.entwine.http.integrations;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.integration.mqtt.BridgeConfig;
import io.entwine.integration.mqtt.BridgeReply;
import io.entwine.integration.mqtt.BridgeRequests;
import io.entwine.integration.mqtt.BridgeStatus;
import io.entwine.integration.mqtt.MqttBridges;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * MQTT bridges of an organization (API key): {@code POST /api/v0002/bridges/mqtt} creates and
 * starts one (201), {@code GET} lists them or shows one, {@code DELETE .../{id}} stops and forgets
 * it (204), {@code GET .../{id}/status} tells whether it is connected and what it recorded. The
 * broker password is never shown: only whether one is set.
 */
public final class MqttBridgeRoutes extends ApiDirectives {
  private static final String BASE = "/api/v0002/bridges/mqtt";
  private static final Pattern BRIDGE_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private static final HttpResponse NO_CONTENT =
      HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);

  private final MqttBridges bridges;
  private final Authentication authentication;

  public MqttBridgeRoutes(MqttBridges bridges, Authentication authentication) {
    this.bridges = bridges;
    this.authentication = authentication;
  }

  public record ConverterJson(String script) {}

  public record BridgeJson(
      String id,
      String url,
      String username,
      boolean passwordSet,
      String clientId,
      List<BridgeConfig.Topic> topics,
      ConverterJson uplinkConverter,
      boolean allowCreateDevices,
      Instant created) {}

  public record BridgeList(List<BridgeJson> results) {}

  /** The status's fields beside the bridge's id. */
  public record StatusJson(String id, @JsonUnwrapped BridgeStatus status) {}

  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002").slash("bridges").slash("mqtt"),
        () ->
            authentication.apiKey(
                principal ->
                    concat(
                        pathEndOrSingleSlash(
                            () ->
                                concat(post(() -> create(principal)), get(() -> list(principal)))),
                        pathPrefix(segment(), id -> bridge(principal.org(), id)))));
  }

  private Route bridge(String org, String id) {
    if (!BRIDGE_ID.matcher(id).matches()) {
      return complete(noSuchBridge(id));
    }
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(
                        () ->
                            completeEntityReply(
                                bridges.get(org, id),
                                found -> json(StatusCodes.OK, toJson(found)))),
                    delete(
                        () -> completeEntityReply(bridges.delete(org, id), done -> NO_CONTENT)))),
        path(
            "status",
            () ->
                get(
                    () ->
                        completeEntityReply(
                            bridges.status(org, id),
                            status -> json(StatusCodes.OK, toJson((BridgeReply.Status) status))))));
  }

  private Route create(ApiKeyPrincipal principal) {
    return jsonObject(
        false,
        body -> {
          BridgeRequests.Valid request;
          try {
            request = BridgeRequests.check(body);
          } catch (BridgeRequests.InvalidBridge e) {
            return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
          }
          return completeEntityReply(
              bridges.create(principal.org(), request),
              created -> {
                BridgeJson json = toJson(created);
                return json(StatusCodes.CREATED, json)
                    .addHeader(Location.create(BASE + "/" + json.id()));
              });
        });
  }

  private Route list(ApiKeyPrincipal principal) {
    return completeOk(
        bridges.list(principal.org()),
        found -> new BridgeList(found.stream().map(MqttBridgeRoutes::toJson).toList()));
  }

  private static HttpResponse noSuchBridge(String id) {
    return error(StatusCodes.NOT_FOUND, "No bridge '" + id + "'");
  }

  private static BridgeJson toJson(BridgeReply found) {
    BridgeConfig config = ((BridgeReply.Found) found).config();
    return new BridgeJson(
        config.id(),
        config.url(),
        config.username(),
        config.sealedPassword() != null,
        config.clientId(),
        config.topics(),
        new ConverterJson(config.uplinkScript()),
        config.allowCreateDevices(),
        ((BridgeReply.Found) found).created());
  }

  private static StatusJson toJson(BridgeReply.Status reply) {
    return new StatusJson(reply.id(), reply.status());
  }
}
