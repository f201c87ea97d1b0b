package io.entwine.integration.webhook;

import io.entwine.claims.ClaimEntity;
import io.entwine.credentials.Credentials;
import io.entwine.credentials.SecretBox;
import io.entwine.ingress.Timestamps;
import io.entwine.protocol.Rejection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The API of webhooks for the HTTP routes: every call is scoped by organization, the secret and
 * header values are sealed with the cluster key before anything is persisted, and a webhook is
 * addressed only after its organization's directory knows its id.
 */
public final class Webhooks {
  private static final Executor SAME_THREAD = Runnable::run;

  private final ClusterSharding sharding;
  private final SecretBox secretBox;
  private final WebhookSettings settings;
  private final Duration askTimeout;

  public Webhooks(ActorSystem<?> system, WebhookSettings settings, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.secretBox = Credentials.get(system).secretBox();
    this.settings = settings;
    this.askTimeout = askTimeout;
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
  public CompletionStage<WebhookReply> create(String org, WebhookRequests.Valid request) {
    String id = UUID.randomUUID().toString();
    WebhookConfig config = sealed(org, id, request, null);
    return ask(directory(org), WebhookDirectory.TABLE.claim(id, settings.maxPerOrganization()))
        .thenComposeAsync(
            added ->
                added instanceof WebhookReply.Rejected
                    ? CompletableFuture.completedFuture(added)
                    : ask(
                        webhook(org, id),
                        replyTo -> new Webhook.Create(config, Timestamps.now(), replyTo)),
            SAME_THREAD);
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
                    ? ask(
                        webhook(org, id),
                        replyTo ->
                            new Webhook.Update(
                                sealed(org, id, request, found.config()),
                                Timestamps.now(),
                                replyTo))
                    : CompletableFuture.completedFuture(current),
            SAME_THREAD);
  }

  /** {@link WebhookReply.Found}, or NOT_FOUND. */
  public CompletionStage<WebhookReply> get(String org, String id) {
    return whenKnown(org, id, Webhook.Get::new);
  }

  /** {@link WebhookReply.Status}, or NOT_FOUND. */
  public CompletionStage<WebhookReply> status(String org, String id) {
    return whenKnown(org, id, Webhook.GetStatus::new);
  }

  /** Stops the webhook and forgets it: Done, or NOT_FOUND. */
  public CompletionStage<WebhookReply> delete(String org, String id) {
    return whenKnown(org, id, replyTo -> new Webhook.Delete(Timestamps.now(), replyTo))
        .thenComposeAsync(
            deleted ->
                deleted instanceof WebhookReply.Rejected rejected
                        && rejected.reason() != Rejection.NOT_FOUND
                    ? CompletableFuture.completedFuture(deleted)
                    : ask(directory(org), WebhookDirectory.TABLE.release(id))
                        .thenApply(removed -> deleted),
            SAME_THREAD);
  }

  /** The organization's webhooks, as {@link WebhookReply.Found}, in id order. */
  public CompletionStage<List<WebhookReply.Found>> list(String org) {
    return ask(directory(org), WebhookDirectory.TABLE.lookup())
        .thenComposeAsync(
            directory -> {
              List<CompletableFuture<WebhookReply>> gets = new ArrayList<>();
              for (String id : ((WebhookReply.Directory) directory).ids()) {
                gets.add(ask(webhook(org, id), Webhook.Get::new).toCompletableFuture());
              }
              return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
                  .thenApply(
                      all ->
                          gets.stream()
                              .map(CompletableFuture::join)
                              .filter(WebhookReply.Found.class::isInstance)
                              .map(WebhookReply.Found.class::cast)
                              .toList());
            },
            SAME_THREAD);
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

  private CompletionStage<WebhookReply> whenKnown(
      String org, String id, Function<ActorRef<WebhookReply>, Webhook.Command> command) {
    return ask(directory(org), WebhookDirectory.TABLE.lookup())
        .thenComposeAsync(
            directory ->
                ((WebhookReply.Directory) directory).ids().contains(id)
                    ? ask(webhook(org, id), command)
                    : CompletableFuture.completedFuture(
                        new WebhookReply.Rejected(Rejection.NOT_FOUND, "No webhook '" + id + "'")),
            SAME_THREAD);
  }

  private EntityRef<ClaimEntity.Command> directory(String org) {
    return sharding.entityRefFor(WebhookDirectory.TABLE.entityKey(), org);
  }

  private EntityRef<Webhook.Command> webhook(String org, String id) {
    return sharding.entityRefFor(Webhook.ENTITY_KEY, Webhook.entityId(org, id));
  }

  private <C> CompletionStage<WebhookReply> ask(
      EntityRef<C> entity, Function<ActorRef<WebhookReply>, C> command) {
    return entity.ask(command::apply, askTimeout);
  }
}
