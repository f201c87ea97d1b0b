package io.entwine.integration.webhook;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code entwine.integration.webhooks}, read once. */
public record WebhookSettings(
    int batchSize,
    Duration batchWithin,
    Duration requestTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor,
    int rejectedAttempts,
    Duration pauseAfter,
    Duration idleOffsetInterval,
    int maxPerOrganization) {

  public static WebhookSettings from(Config config) {
    Config hooks = config.getConfig("entwine.integration.webhooks");
    return new WebhookSettings(
        hooks.getInt("batch-size"),
        hooks.getDuration("batch-within"),
        hooks.getDuration("request-timeout"),
        hooks.getDuration("retry.min-backoff"),
        hooks.getDuration("retry.max-backoff"),
        hooks.getDouble("retry.random-factor"),
        hooks.getInt("rejected-attempts"),
        hooks.getDuration("pause-after"),
        hooks.getDuration("idle-offset-interval"),
        hooks.getInt("max-per-organization"));
  }

  /** The delay before retry number {@code attempt} (1 = the first retry), with jitter. */
  Duration backoff(int attempt, double random) {
    double exponential = minBackoff.toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
    double capped = Math.min(exponential, maxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (1 + randomFactor * random)));
  }
}
