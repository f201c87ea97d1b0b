package io.entwine.integration.webhook;

import io.entwine.protocol.CborSerializable;
import java.time.Instant;

/**
 * How a webhook's delivery goes: messages delivered and failed (skipped after refusals), whether a
 * batch is being retried, whether it is paused and why, how old the oldest undelivered message is
 * ({@code lagSeconds}, 0 when nothing waits), the last error and the last success: a copy, made on
 * read, of the {@link WebhookActivity} the node running the webhook keeps in memory (the counters
 * start again at zero when it moves).
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
}
