package io.entwine.integration.webhook;

import com.typesafe.config.Config;
import io.entwine.config.ConfigRecords;
import io.entwine.integration.Backoff;
import java.time.Duration;

/** {@code entwine.integration.webhooks}, read once. */
public record WebhookSettings(
    int batchSize,
    Duration batchWithin,
    Duration requestTimeout,
    Backoff retry,
    int rejectedAttempts,
    Duration pauseAfter,
    Duration idleOffsetInterval,
    int maxPerOrganization) {

  public static WebhookSettings from(Config config) {
    return ConfigRecords.read(config, "entwine.integration.webhooks", WebhookSettings.class);
  }
}
