package io.entwine.http.webhooks;

import io.entwine.http.common.Authentication;
import io.entwine.http.common.RememberedStreamRoutes;
import io.entwine.integration.webhook.WebhookConfig;
import io.entwine.integration.webhook.WebhookReply;
import io.entwine.integration.webhook.WebhookRequests;
import io.entwine.integration.webhook.Webhooks;
import io.entwine.streams.StreamFilter;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Webhooks of an organization (API key): {@code POST /api/v0002/webhooks} creates one and starts
 * its delivery (201), {@code GET} lists them or shows one, {@code PUT .../{id}} replaces one and
 * resumes it when paused, {@code DELETE .../{id}} stops and forgets it (204), {@code GET
 * .../{id}/status} tells how its delivery goes. The secret and the header values are never shown:
 * only whether a secret is set and the header names.
 */
public final class WebhookRoutes
    extends RememberedStreamRoutes<WebhookRequests.Valid, WebhookReply, WebhookReply.Found> {
  private final Webhooks webhooks;

  public WebhookRoutes(Webhooks webhooks, Authentication authentication) {
    super("/api/v0002/webhooks", "webhook", webhooks, authentication, WebhookRequests::check);
    this.webhooks = webhooks;
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

  @Override
  protected Route moreOnOne(String org, String id) {
    return put(
        () -> checked(request -> completeEntityReply(webhooks.replace(org, id, request), ok())));
  }

  @Override
  protected WebhookJson toJson(WebhookReply.Found found) {
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
}
