package io.entwine.integration.webhook;

import io.entwine.credentials.Credentials;
import io.entwine.credentials.SecretBox;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.DirectoryEntities;
import io.entwine.integration.RememberedStreamEntities;
import io.entwine.protocol.Rejection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * The API of webhooks for the HTTP routes: every call is scoped by organization, the secret and
 * header values are sealed with the cluster key before anything is persisted, and a webhook is
 * addressed only after its organization's directory knows its id.
 */
public final class Webhooks
    extends RememberedStreamEntities<
        WebhookRequests.Valid, Webhook.Command, WebhookReply, WebhookReply.Found> {
  private static final Commands<Webhook.Command, WebhookReply, WebhookReply.Found> COMMANDS =
      new Commands<>(
          Webhook.Get::new,
          Webhook.GetStatus::new,
          Webhook.Delete::new,
          WebhookReply.Found.class,
          found -> found.config().id());

  private final SecretBox secretBox;
  private final WebhookSettings settings;

  public Webhooks(ActorSystem<?> system, WebhookSettings settings, Duration askTimeout) {
    super(
        new DirectoryEntities<>(
            system,
            WebhookDirectory.TABLE,
            Webhook.ENTITY_KEY,
            directory -> ((WebhookReply.Directory) directory).ids(),
            id -> new WebhookReply.Rejected(Rejection.NOT_FOUND, "No webhook '" + id + "'"),
            askTimeout),
        COMMANDS);
    this.secretBox = Credentials.get(system).secretBox();
    this.settings = settings;
  }

  /** Starts the webhook entities on this node (and, with them, the deliveries it is given). */
  public static void init(ActorSystem<?> system, WebhookSettings settings) {
    WebhookDirectory.TABLE.init(system);
    Executor executor = system.dispatchers().lookup(DispatcherSelector.defaultDispatcher());
    WebhookSender sender =
        new WebhookSender(Credentials.get(system).secretBox(), settings.requestTimeout(), executor);
    Webhook.init(system, new Webhook.Services(sender, settings));
  }

  /** {@link WebhookReply.Found} of the new webhook, already delivering. */
  @Override
  public CompletionStage<WebhookReply> create(String org, WebhookRequests.Valid request) {
    String id = UUID.randomUUID().toString();
    WebhookConfig config = sealed(org, id, request, null);
    return entities.create(
        org,
        id,
        settings.maxPerOrganization(),
        replyTo -> new Webhook.Create(config, Timestamps.now(), replyTo));
  }

  /**
   * Replaces the webhook's configuration (a null secret or headers keep the stored ones) and
   * resumes it when paused: {@link WebhookReply.Found}, or NOT_FOUND.
   */
  public CompletionStage<WebhookReply> replace(
      String org, String id, WebhookRequests.Valid request) {
    return get(org, id)
        .thenComposeAsync(
            current ->
                current instanceof WebhookReply.Found found
                    ? entities.whenKnown(
                        org,
                        id,
                        replyTo ->
                            new Webhook.Update(
                                sealed(org, id, request, found.config()),
                                Timestamps.now(),
                                replyTo))
                    : CompletableFuture.completedFuture(current),
            Runnable::run);
  }

  private WebhookConfig sealed(
      String org, String id, WebhookRequests.Valid request, WebhookConfig stored) {
    String secret =
        request.secret() != null
            ? secretBox.encrypt(request.secret())
            : stored == null ? null : stored.sealedSecret();
    Map<String, String> headers;
    if (request.headers() != null) {
      headers = new LinkedHashMap<>();
      for (Map.Entry<String, String> header : request.headers().entrySet()) {
        headers.put(header.getKey(), secretBox.encrypt(header.getValue()));
      }
    } else {
      headers = stored == null ? Map.of() : stored.sealedHeaders();
    }
    return new WebhookConfig(org, id, request.url(), request.filter(), secret, headers);
  }
}
