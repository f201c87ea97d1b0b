package io.entwine.integration.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookStatusTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void aRetryShowsUntilTheBatchIsDeliveredAndKeepsTheLastError() {
    WebhookStatus retrying = WebhookStatus.STARTING.attemptFailed(AT, "503", true);
    assertTrue(retrying.withPause(null).withLag(2).retrying(), "a status read keeps the retry");
    WebhookStatus delivered = retrying.deliveredBatch(5, AT.plusSeconds(1));
    assertFalse(delivered.retrying());
    assertEquals(5, delivered.delivered());
    assertEquals("503", delivered.lastError().message());
    assertEquals(AT.plusSeconds(1), delivered.lastSuccess());
  }

  @Test
  void aPausedWebhookRetriesNothingAndSkippedMessagesCountAsFailed() {
    WebhookStatus paused = WebhookStatus.STARTING.attemptFailed(AT, "503", true).withPause("503");
    assertTrue(paused.paused());
    assertFalse(paused.retrying());
    assertEquals("503", paused.pausedReason());
    assertEquals(3, WebhookStatus.STARTING.skippedBatch(3).failed());
  }
}
