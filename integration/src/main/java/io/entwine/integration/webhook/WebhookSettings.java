package io.entwine.integration.webhook;

import com.typesafe.config.Config;
import io.entwine.config.ConfigRecords;
import io.entwine.config.ConfigRecords.Key;
import java.time.Duration;

/** {@code entwine.integration.webhooks}, read once. */
public record WebhookSettings(
    int batchSize,
    Duration batchWithin,
    Duration requestTimeout,
    @Key("retry.min-backoff") Duration minBackoff,
    @Key("retry.max-backoff") Duration maxBackoff,
    @Key("retry.random-factor") double randomFactor,
    int rejectedAttempts,
    Duration pauseAfter,
    Duration idleOffsetInterval,
    int maxPerOrganization) {

  public static WebhookSettings from(Config config) {
    return ConfigRecords.read(config, "entwine.integration.webhooks", WebhookSettings.class);
  }

  /** The delay before retry number {@code attempt} (1 = the first retry), with jitter. */
  Duration backoff(int attempt, double random) {
    double exponential = minBackoff.toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
    double capped = Math.min(exponential, maxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (1 + randomFactor * random)));
  }
}
