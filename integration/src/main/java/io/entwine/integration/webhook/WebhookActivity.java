package io.entwine.integration.webhook;

import java.time.Instant;

/**
 * What a running webhook has delivered since it started on this node, updated in place by its
 * entity (one actor, so one thread at a time) from its stream's reports, and copied into a {@link
 * WebhookStatus} when asked, with the pause and the lag the entity knows then. Mutable so that a
 * report changes only what it concerns, instead of copying the whole status record per batch.
 */
final class WebhookActivity {
  private long delivered;
  private long failed;
  private boolean retrying;
  private WebhookStatus.LastError lastError;
  private Instant lastSuccess;

  void deliveredBatch(int messages, Instant at) {
    delivered += messages;
    retrying = false;
    lastSuccess = at;
  }

  /** Messages given up after refusals count as failed. */
  void skippedBatch(int messages) {
    failed += messages;
    retrying = false;
  }

  void attemptFailed(Instant at, String error, boolean willRetry) {
    retrying = willRetry;
    lastError = new WebhookStatus.LastError(at, error);
  }

  /**
   * The status now: paused for {@code pausedReason}, or not when it is null (a paused webhook
   * retries nothing), with the oldest undelivered message {@code lagSeconds} old.
   */
  WebhookStatus status(String pausedReason, double lagSeconds) {
    return new WebhookStatus(
        delivered,
        failed,
        retrying && pausedReason == null,
        pausedReason != null,
        pausedReason,
        lagSeconds,
        lastError,
        lastSuccess);
  }
}
