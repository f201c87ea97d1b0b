package io.entwine.integration.webhook;

import io.entwine.credentials.SecretBox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts one batch to a webhook's URL with the JDK's HTTP client and says what the answer means:
 * delivered (2xx), worth retrying (5xx, 408, 429, a timeout, a connection error) or refused (any
 * other answer). The body is signed with HMAC-SHA256 under the webhook's secret ({@code
 * X-Entwine-Signature: sha256=<hex>}, as GitHub's webhooks do) and carries the batch's delivery id,
 * the same on every try of that batch.
 */
final class WebhookSender {
  static final String SIGNATURE = "X-Entwine-Signature";
  static final String DELIVERY = "X-Entwine-Delivery";
  static final String WEBHOOK = "X-Entwine-Webhook";

  /** What a try came to; {@code error} says why it failed (null when delivered). */
  record Outcome(Kind kind, String error) {
    enum Kind {
      DELIVERED,
      RETRY,
      REFUSED
    }
  }

  private final HttpClient client;
  private final SecretBox secretBox;
  private final Duration timeout;

  WebhookSender(SecretBox secretBox, Duration timeout, Executor executor) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
    this.secretBox = secretBox;
    this.timeout = timeout;
  }

  CompletionStage<Outcome> post(WebhookConfig config, String deliveryId, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(config.url()))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header(DELIVERY, deliveryId)
            .header(WEBHOOK, config.id())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      for (Map.Entry<String, String> header : config.sealedHeaders().entrySet()) {
        request.header(header.getKey(), secretBox.decrypt(header.getValue()));
      }
      if (config.sealedSecret() != null) {
        request.header(SIGNATURE, signature(secretBox.decrypt(config.sealedSecret()), body));
      }
    } catch (IllegalArgumentException e) {
      // another cluster key: retried, so the webhook pauses instead of sending unsigned requests
      return CompletableFuture.completedFuture(new Outcome(Outcome.Kind.RETRY, e.getMessage()));
    }
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, failure) ->
                failure != null
                    ? new Outcome(Outcome.Kind.RETRY, describe(failure))
                    : outcomeOf(response.statusCode()));
  }

  static Outcome outcomeOf(int status) {
    if (status >= 200 && status < 300) {
      return new Outcome(Outcome.Kind.DELIVERED, null);
    }
    String error = "The receiver answered " + status;
    return status >= 500 || status == 408 || status == 429
        ? new Outcome(Outcome.Kind.RETRY, error)
        : new Outcome(Outcome.Kind.REFUSED, error);
  }

  /** {@code sha256=} and the hex HMAC-SHA256 of {@code body} under {@code secret}. */
  static String signature(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    String message = cause.getMessage();
    return "The request failed: "
        + cause.getClass().getSimpleName()
        + (message == null ? "" : " (" + message + ")");
  }
}
