package io.entwine.http.admin;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.Tokens;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.identity.Ids;
import io.entwine.ingress.Admission;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator's API ({@code /api/v0002/admin}): organizations, their API keys, Hono adapter
 * configuration, the other adapters switched on or off, limits, trusted CAs and history retention.
 */
public final class AdminRoutes extends ApiDirectives {
  private final TwinGateway gateway;
  private final VerifiedSecrets secrets;
  private final Authentication authentication;
  private final OrganizationPolicies policies;
  private final TrustAnchorRoutes trustAnchors;
  private final RetentionRoutes retention;

  public AdminRoutes(TwinGateway gateway, VerifiedSecrets secrets, Authentication authentication) {
    this(gateway, secrets, authentication, null);
  }

  /**
   * {@code policies}: this node's settings cache, refreshed when the operator changes them; any
   * retention from one second on is accepted (the node passes entwine.historian.minimum-retention).
   */
  public AdminRoutes(
      TwinGateway gateway,
      VerifiedSecrets secrets,
      Authentication authentication,
      OrganizationPolicies policies) {
    this(gateway, secrets, authentication, policies, Duration.ofSeconds(1));
  }

  /** {@code minimumRetention}: the shortest history retention the operator may set. */
  public AdminRoutes(
      TwinGateway gateway,
      VerifiedSecrets secrets,
      Authentication authentication,
      OrganizationPolicies policies,
      Duration minimumRetention) {
    this.gateway = gateway;
    this.secrets = secrets;
    this.authentication = authentication;
    this.policies = policies;
    this.trustAnchors = new TrustAnchorRoutes(gateway, this::refresh);
    this.retention = new RetentionRoutes(gateway, this::refresh, minimumRetention);
  }

  public record HonoHttpJson(
      boolean enabled,
      @JsonProperty("max-ttd") int maxTtd,
      @JsonProperty("allow-unauthenticated") boolean allowUnauthenticated) {}

  public record AdapterJson(boolean enabled) {}

  public record LimitsJson(
      @JsonProperty("messages-per-period") long messagesPerPeriod,
      @JsonProperty("period-seconds") int periodSeconds,
      @JsonProperty("max-payload-bytes") int maxPayloadBytes,
      @JsonProperty("max-devices") long maxDevices) {}

  public record ApiKeyCreatedResponse(
      String key, String token, String description, Instant created) {}

  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002").slash("admin").slash("organizations"),
        () ->
            authentication.operator(
                () ->
                    concat(
                        pathEndOrSingleSlash(
                            () -> post(() -> jsonObject(false, this::createOrganization))),
                        pathPrefix(
                            segment(),
                            org ->
                                Ids.isOrgId(org)
                                    ? organizationRoutes(org)
                                    : complete(
                                        error(
                                            StatusCodes.NOT_FOUND,
                                            "Organization '" + org + "' does not exist"))))));
  }

  private Route organizationRoutes(String org) {
    return concat(
        pathEndOrSingleSlash(() -> get(() -> getOrganization(org))),
        path(
            segment("adapters").slash("hono-http"),
            () ->
                concat(
                    put(() -> jsonObject(false, body -> configureHonoHttp(org, body))),
                    get(() -> settings(org, s -> honoHttp(s.honoHttp()))))),
        path(segment("adapters").slash(segment()), adapter -> adapterSwitch(org, adapter)),
        path("trust-anchors", () -> trustAnchors.route(org)),
        path("retention", () -> retention.route(org)),
        path(
            "limits",
            () ->
                concat(
                    put(() -> jsonObject(false, body -> setLimits(org, body))),
                    get(() -> settings(org, s -> limits(s.limits()))))),
        pathPrefix(
            "apikeys",
            () ->
                concat(
                    pathEndOrSingleSlash(
                        () ->
                            concat(
                                post(() -> jsonObject(true, body -> createApiKey(org, body))),
                                get(() -> listApiKeys(org)))),
                    path(segment(), key -> delete(() -> revokeApiKey(org, key))))));
  }

  private Route createOrganization(ObjectNode body) {
    if (!isStringOrAbsent(body, "id") || !isStringOrAbsent(body, "name")) {
      return complete(error(StatusCodes.BAD_REQUEST, "'id' and 'name' must be strings"));
    }
    String name = optionalText(body, "name");
    if (name == null || name.isBlank()) {
      return complete(error(StatusCodes.BAD_REQUEST, "'name' is required"));
    }
    String id = optionalText(body, "id");
    if (id != null && !Ids.isOrgId(id)) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST, "Invalid organization id '" + id + "': " + Ids.ORG_ID_RULE));
    }
    String orgId = id != null ? id : Tokens.organizationId();
    return completeReply(
        gateway.organizations().create(orgId, name), info -> json(StatusCodes.CREATED, info));
  }

  private Route getOrganization(String org) {
    return completeReply(gateway.organizations().get(org), info -> json(StatusCodes.OK, info));
  }

  private Route createApiKey(String org, ObjectNode body) {
    if (!isStringOrAbsent(body, "description")) {
      return complete(error(StatusCodes.BAD_REQUEST, "'description' must be a string"));
    }
    String description = optionalText(body, "description");
    String key = Ids.apiKey(org, Tokens.apiKeySuffix());
    String token = Tokens.secret();
    Instant now = Timestamps.now();
    return completeReply(
        secrets
            .hash(token)
            .thenCompose(
                secretHash ->
                    gateway.organizations().createApiKey(org, key, secretHash, description, now)),
        done -> json(StatusCodes.CREATED, new ApiKeyCreatedResponse(key, token, description, now)));
  }

  private Route listApiKeys(String org) {
    return completeReply(
        gateway.organizations().listApiKeys(org), keys -> json(StatusCodes.OK, apiKeyList(keys)));
  }

  private static List<Reply.ApiKeyInfo> apiKeyList(Reply keys) {
    return ((Reply.ApiKeys) keys).keys();
  }

  // ---- tenant configuration ----

  private Route configureHonoHttp(String org, ObjectNode body) {
    JsonNode enabled = body.get("enabled");
    JsonNode maxTtd = body.get("max-ttd");
    JsonNode unauthenticated = body.get("allow-unauthenticated");
    if ((enabled != null && !enabled.isBoolean())
        || (unauthenticated != null && !unauthenticated.isBoolean())
        || (maxTtd != null
            && (!maxTtd.canConvertToInt()
                || !maxTtd.isIntegralNumber()
                || maxTtd.intValue() < 0))) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "'enabled' and 'allow-unauthenticated' are true or false, 'max-ttd' a whole number"
                  + " of seconds"));
    }
    Reply.HonoHttpAdapter defaults = Reply.HonoHttpAdapter.DEFAULT;
    Reply.HonoHttpAdapter config =
        new Reply.HonoHttpAdapter(
            enabled == null ? defaults.enabled() : enabled.booleanValue(),
            maxTtd == null ? defaults.maxTtd() : maxTtd.intValue(),
            unauthenticated == null
                ? defaults.allowUnauthenticated()
                : unauthenticated.booleanValue());
    return completeReply(
        gateway.organizations().configureHonoHttp(org, config),
        settings -> {
          refresh(org);
          return json(StatusCodes.OK, honoHttp(((Reply.OrganizationSettings) settings).honoHttp()));
        });
  }

  /** The adapters switched on or off as a whole ({@code ibm-http}, {@code ibm-mqtt}). */
  private Route adapterSwitch(String org, String adapter) {
    if (!Admission.SWITCHABLE_ADAPTERS.contains(adapter)) {
      return complete(
          error(
              StatusCodes.NOT_FOUND,
              "No adapter '"
                  + adapter
                  + "': hono-http, "
                  + String.join(", ", Admission.SWITCHABLE_ADAPTERS)));
    }
    return concat(
        put(() -> jsonObject(false, body -> configureAdapter(org, adapter, body))),
        get(() -> settings(org, s -> new AdapterJson(s.adapterEnabled(adapter)))));
  }

  private Route configureAdapter(String org, String adapter, ObjectNode body) {
    JsonNode enabled = body.get("enabled");
    if (enabled == null || !enabled.isBoolean()) {
      return complete(error(StatusCodes.BAD_REQUEST, "'enabled' is required: true or false"));
    }
    return completeReply(
        gateway.organizations().configureAdapter(org, adapter, enabled.booleanValue()),
        settings -> {
          refresh(org);
          return json(
              StatusCodes.OK,
              new AdapterJson(((Reply.OrganizationSettings) settings).adapterEnabled(adapter)));
        });
  }

  private Route setLimits(String org, ObjectNode body) {
    JsonNode messages = body.get("messages-per-period");
    JsonNode period = body.get("period-seconds");
    JsonNode payload = body.get("max-payload-bytes");
    JsonNode devices = body.get("max-devices");
    if (!isWholeNumber(messages, 0)
        || !isWholeNumber(period, 1)
        || !isWholeNumber(payload, 0)
        || !isWholeNumber(devices, 0)) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "'messages-per-period' (0: unlimited), 'period-seconds' (at least 1),"
                  + " 'max-payload-bytes' (0: the node's default) and 'max-devices' (0:"
                  + " unlimited) are whole numbers"));
    }
    Reply.MessageLimits none = Reply.MessageLimits.NONE;
    Reply.MessageLimits limits =
        new Reply.MessageLimits(
            messages == null ? none.messagesPerPeriod() : messages.longValue(),
            period == null ? none.periodSeconds() : period.intValue(),
            payload == null ? none.maxPayloadBytes() : payload.intValue(),
            devices == null ? none.maxDevices() : devices.longValue());
    return completeReply(
        gateway.organizations().setLimits(org, limits),
        settings -> {
          refresh(org);
          return json(StatusCodes.OK, limits(((Reply.OrganizationSettings) settings).limits()));
        });
  }

  private static boolean isWholeNumber(JsonNode value, long min) {
    return value == null
        || (value.isIntegralNumber() && value.canConvertToInt() && value.longValue() >= min)
        || (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= min);
  }

  private Route settings(
      String org, java.util.function.Function<Reply.OrganizationSettings, Object> view) {
    return completeReply(
        gateway.organizations().settings(org),
        settings -> json(StatusCodes.OK, view.apply((Reply.OrganizationSettings) settings)));
  }

  private void refresh(String org) {
    if (policies != null) {
      policies.invalidate(org);
    }
  }

  private static HonoHttpJson honoHttp(Reply.HonoHttpAdapter config) {
    return new HonoHttpJson(config.enabled(), config.maxTtd(), config.allowUnauthenticated());
  }

  private static LimitsJson limits(Reply.MessageLimits limits) {
    return new LimitsJson(
        limits.messagesPerPeriod(),
        limits.periodSeconds(),
        limits.maxPayloadBytes(),
        limits.maxDevices());
  }

  private Route revokeApiKey(String org, String key) {
    return completeReply(
        gateway
            .organizations()
            .revokeApiKey(org, key)
            .thenApply(
                reply -> {
                  if (reply instanceof Reply.Done) {
                    gateway.forgetApiKey(org, key);
                  }
                  return reply;
                }),
        done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }
}
