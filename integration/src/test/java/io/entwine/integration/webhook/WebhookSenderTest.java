package io.entwine.integration.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.entwine.integration.Backoff;
import io.entwine.integration.webhook.WebhookSender.Outcome.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {

  @Test
  void signsWithHmacSha256AsRfc4231ComputesIt() {
    // RFC 4231, test case 2
    assertEquals(
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        WebhookSender.signature(
            "Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void retries5xx408And429AndSkipsOther4xxAfterTries() {
    assertEquals(Kind.DELIVERED, WebhookSender.outcomeOf(200).kind());
    assertEquals(Kind.DELIVERED, WebhookSender.outcomeOf(204).kind());
    for (int status : new int[] {500, 502, 503, 408, 429}) {
      assertEquals(Kind.RETRY, WebhookSender.outcomeOf(status).kind(), "" + status);
    }
    for (int status : new int[] {400, 401, 403, 404, 410, 301}) {
      assertEquals(Kind.REFUSED, WebhookSender.outcomeOf(status).kind(), "" + status);
    }
  }

  @Test
  void retriesWithTheDocumentedBackoffDoublingUpToItsMaximumWithJitter() {
    Backoff retry = WebhookSettings.from(ConfigFactory.defaultReference()).retry();
    assertEquals(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2), retry);
    assertEquals(Duration.ofSeconds(1), retry.delay(1, 0));
    assertEquals(Duration.ofSeconds(2), retry.delay(2, 0));
    assertEquals(Duration.ofSeconds(32), retry.delay(6, 0));
    assertEquals(Duration.ofSeconds(60), retry.delay(7, 0));
    assertEquals(Duration.ofSeconds(60), retry.delay(500, 0));
    assertEquals(Duration.ofMillis(2400), retry.delay(2, 1.0));
    assertEquals(
        Duration.ofMillis(250),
        WebhookSettings.from(
                ConfigFactory.parseString("entwine.integration.webhooks.retry.min-backoff = 250ms")
                    .withFallback(ConfigFactory.defaultReference()))
            .retry()
            .minBackoff());
  }
}
