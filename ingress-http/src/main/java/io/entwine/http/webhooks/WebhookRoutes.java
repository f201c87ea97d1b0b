package io.entwine.http.webhooks;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.integration.webhook.WebhookConfig;
import io.entwine.integration.webhook.WebhookReply;
import io.entwine.integration.webhook.WebhookRequests;
import io.entwine.integration.webhook.WebhookStatus;
import io.entwine.integration.webhook.Webhooks;
import io.entwine.streams.StreamFilter;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Webhooks of an organization (API key): {@code POST /api/v0002/webhooks} creates one and starts
 * its delivery (201), {@code GET} lists them or shows one, {@code PUT .../{id}} replaces one and
 * resumes it when paused, {@code DELETE .../{id}} stops and forgets it (204), {@code GET
 * .../{id}/status} tells how its delivery goes. The secret and the header values are never shown:
 * only whether a secret is set and the header names.
 */
public final class WebhookRoutes extends ApiDirectives {
  private static final String BASE = "/api/v0002/webhooks";
  private static final Pattern WEBHOOK_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final HttpResponse NO_CONTENT =
      HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);

  private final Webhooks webhooks;
  private final Authentication authentication;

  public WebhookRoutes(Webhooks webhooks, Authentication authentication) {
    this.webhooks = webhooks;
    this.authentication = authentication;
  }

  public record WebhookJson(
      String id,
      String url,
      StreamFilter filter,
      boolean secretSet,
      List<String> headers,
      boolean paused,
      String pausedReason,
      Instant created,
      Instant updated) {}

  public record WebhookList(List<WebhookJson> results) {}

  /** The status's fields beside the webhook's id. */
  public record StatusJson(String id, @JsonUnwrapped WebhookStatus status) {}

  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002").slash("webhooks"),
        () ->
            authentication.apiKey(
                principal ->
                    concat(
                        pathEndOrSingleSlash(
                            () ->
                                concat(
                                    post(() -> create(principal.org())),
                                    get(() -> list(principal.org())))),
                        pathPrefix(segment(), id -> webhook(principal.org(), id)))));
  }

  private Route webhook(String org, String id) {
    if (!WEBHOOK_ID.matcher(id).matches()) {
      return complete(error(StatusCodes.NOT_FOUND, "No webhook '" + id + "'"));
    }
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(() -> completeEntityReply(webhooks.get(org, id), ok())),
                    put(
                        () ->
                            checked(
                                request ->
                                    completeEntityReply(webhooks.replace(org, id, request), ok()))),
                    delete(
                        () -> completeEntityReply(webhooks.delete(org, id), done -> NO_CONTENT)))),
        path(
            "status",
            () ->
                get(
                    () ->
                        completeEntityReply(
                            webhooks.status(org, id),
                            status ->
                                json(StatusCodes.OK, toJson((WebhookReply.Status) status))))));
  }

  private Route create(String org) {
    return checked(
        request ->
            completeEntityReply(
                webhooks.create(org, request),
                created -> {
                  WebhookJson json = toJson(created);
                  return json(StatusCodes.CREATED, json)
                      .addHeader(Location.create(BASE + "/" + json.id()));
                }));
  }

  private Route checked(Function<WebhookRequests.Valid, Route> inner) {
    return jsonObject(
        false,
        (ObjectNode body) -> {
          try {
            return inner.apply(WebhookRequests.check(body));
          } catch (WebhookRequests.InvalidWebhook e) {
            return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
          }
        });
  }

  private Route list(String org) {
    return completeOk(
        webhooks.list(org),
        found -> new WebhookList(found.stream().map(WebhookRoutes::toJson).toList()));
  }

  private static Function<WebhookReply, HttpResponse> ok() {
    return found -> json(StatusCodes.OK, toJson(found));
  }

  private static WebhookJson toJson(WebhookReply reply) {
    WebhookReply.Found found = (WebhookReply.Found) reply;
    WebhookConfig config = found.config();
    return new WebhookJson(
        config.id(),
        config.url(),
        config.filter(),
        config.sealedSecret() != null,
        List.copyOf(config.sealedHeaders().keySet()),
        found.paused() != null,
        found.paused(),
        found.created(),
        found.updated());
  }

  private static StatusJson toJson(WebhookReply.Status reply) {
    return new StatusJson(reply.id(), reply.status());
  }
}
