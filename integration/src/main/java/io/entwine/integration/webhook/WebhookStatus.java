package io.entwine.integration.webhook;

import io.entwine.protocol.CborSerializable;
import java.time.Instant;

/**
 * How a webhook's delivery goes: messages delivered and failed (skipped after refusals), whether a
 * batch is being retried, whether it is paused and why, how old the oldest undelivered message is
 * ({@code lagSeconds}, 0 when nothing waits), the last error and the last success. The counters are
 * kept in memory by the node running the webhook: they start again at zero when it moves.
 */
public record WebhookStatus(
    long delivered,
    long failed,
    boolean retrying,
    boolean paused,
    String pausedReason,
    double lagSeconds,
    LastError lastError,
    Instant lastSuccess)
    implements CborSerializable {

  public record LastError(Instant at, String message) implements CborSerializable {}

  static final WebhookStatus STARTING = new WebhookStatus(0, 0, false, false, null, 0, null, null);

  WebhookStatus deliveredBatch(int messages, Instant at) {
    return new WebhookStatus(
        delivered + messages, failed, false, paused, pausedReason, 0, lastError, at);
  }

  WebhookStatus skippedBatch(int messages) {
    return new WebhookStatus(
        delivered, failed + messages, false, paused, pausedReason, 0, lastError, lastSuccess);
  }

  WebhookStatus attemptFailed(Instant at, String error, boolean retrying) {
    return new WebhookStatus(
        delivered,
        failed,
        retrying,
        paused,
        pausedReason,
        lagSeconds,
        new LastError(at, error),
        lastSuccess);
  }

  /**
   * Paused with {@code reason}, or not paused when it is null; a paused webhook retries nothing.
   */
  WebhookStatus withPause(String reason) {
    return new WebhookStatus(
        delivered,
        failed,
        retrying && reason == null,
        reason != null,
        reason,
        lagSeconds,
        lastError,
        lastSuccess);
  }

  WebhookStatus withLag(double seconds) {
    return new WebhookStatus(
        delivered, failed, retrying, paused, pausedReason, seconds, lastError, lastSuccess);
  }
}
