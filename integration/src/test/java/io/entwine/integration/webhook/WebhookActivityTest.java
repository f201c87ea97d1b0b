package io.entwine.integration.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookActivityTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void aRetryShowsUntilTheBatchIsDeliveredAndKeepsTheLastError() {
    WebhookActivity activity = new WebhookActivity();
    activity.attemptFailed(AT, "503", true);
    WebhookStatus retrying = activity.status(null, 2);
    assertTrue(retrying.retrying(), "a status read keeps the retry");
    assertEquals(2, retrying.lagSeconds());

    activity.deliveredBatch(5, AT.plusSeconds(1));
    WebhookStatus delivered = activity.status(null, 0);
    assertFalse(delivered.retrying());
    assertEquals(5, delivered.delivered());
    assertEquals("503", delivered.lastError().message());
    assertEquals(AT.plusSeconds(1), delivered.lastSuccess());
  }

  @Test
  void aPausedWebhookRetriesNothingAndSkippedMessagesCountAsFailed() {
    WebhookActivity activity = new WebhookActivity();
    activity.attemptFailed(AT, "503", true);
    WebhookStatus paused = activity.status("503", 0);
    assertTrue(paused.paused());
    assertFalse(paused.retrying());
    assertEquals("503", paused.pausedReason());
    assertTrue(activity.status(null, 0).retrying(), "resumed, it retries again");

    WebhookActivity skipping = new WebhookActivity();
    skipping.skippedBatch(3);
    assertEquals(3, skipping.status(null, 0).failed());
  }
}
