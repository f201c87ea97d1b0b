package io.entwine.integration.script;

import java.time.Duration;

/**
 * What one run of a converter may use: wall-clock time (checked every few thousand interpreted
 * instructions) and nested call depth. Memory is bounded only indirectly, by the time limit and the
 * payload size limit (ADR 0029).
 */
public record ScriptLimits(Duration timeout, int maxStackDepth) {
  public static final ScriptLimits DEFAULT = new ScriptLimits(Duration.ofMillis(500), 256);

  public ScriptLimits {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (maxStackDepth < 1) {
      throw new IllegalArgumentException("maxStackDepth must be at least 1");
    }
  }
}
