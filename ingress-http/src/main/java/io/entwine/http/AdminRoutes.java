package io.entwine.http;

import static io.entwine.http.ApiResponses.error;
import static io.entwine.http.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.Tokens;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.Ids;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import io.entwine.registry.Organization;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** The operator's API: organizations and their API keys ({@code /api/v0002/admin}). */
public final class AdminRoutes extends ApiDirectives {
  private final TwinGateway gateway;
  private final VerifiedSecrets secrets;
  private final Authentication authentication;

  public AdminRoutes(TwinGateway gateway, VerifiedSecrets secrets, Authentication authentication) {
    this.gateway = gateway;
    this.secrets = secrets;
    this.authentication = authentication;
  }

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
        gateway.ask(
            gateway.organization(orgId),
            replyTo -> new Organization.Create(name, Timestamps.now(), replyTo)),
        info -> json(StatusCodes.CREATED, info));
  }

  private Route getOrganization(String org) {
    return completeReply(
        gateway.ask(gateway.organization(org), Organization.Get::new),
        info -> json(StatusCodes.OK, info));
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
                    gateway.ask(
                        gateway.organization(org),
                        replyTo ->
                            new Organization.CreateApiKey(
                                key, secretHash, description, now, replyTo))),
        done -> json(StatusCodes.CREATED, new ApiKeyCreatedResponse(key, token, description, now)));
  }

  private Route listApiKeys(String org) {
    return completeReply(
        gateway.ask(gateway.organization(org), Organization.ListApiKeys::new),
        keys -> json(StatusCodes.OK, apiKeyList(keys)));
  }

  private static List<Reply.ApiKeyInfo> apiKeyList(Reply keys) {
    return ((Reply.ApiKeys) keys).keys();
  }

  private Route revokeApiKey(String org, String key) {
    return completeReply(
        gateway.ask(
            gateway.organization(org),
            replyTo -> new Organization.RevokeApiKey(key, Timestamps.now(), replyTo)),
        done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }
}
