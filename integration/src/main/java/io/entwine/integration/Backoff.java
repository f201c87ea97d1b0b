package io.entwine.integration;

import java.time.Duration;
import org.apache.pekko.stream.RestartSettings;

/**
 * Exponential backoff with jitter, as a bridge reconnects and a webhook retries: the delay doubles
 * from {@code minBackoff} up to {@code maxBackoff}, plus up to {@code randomFactor} of itself.
 */
public record Backoff(Duration minBackoff, Duration maxBackoff, double randomFactor) {

  /**
   * The delay before retry number {@code attempt} (1 = the first retry), {@code random} in [0,1).
   */
  public Duration delay(int attempt, double random) {
    double exponential = minBackoff.toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
    double capped = Math.min(exponential, maxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (1 + randomFactor * random)));
  }

  /** The same backoff for a stream that restarts on failure. */
  public RestartSettings restartSettings() {
    return RestartSettings.create(minBackoff, maxBackoff, randomFactor);
  }
}
