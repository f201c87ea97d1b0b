package io.entwine.integration.script;

import java.time.Duration;

/**
 * What one run of a converter may use and return: wall-clock time (checked every few thousand
 * interpreted instructions), nested call depth, and the size of its result: characters of JSON,
 * devices and readings (telemetry samples plus attribute sets, each one event on a twin) of one
 * uplink. The result limits bound the work one message can cause before any of it starts (ADR
 * 0039). Memory is bounded only indirectly, by the time limit and the payload size limit (ADR
 * 0029).
 */
public record ScriptLimits(
    Duration timeout,
    int maxStackDepth,
    int maxResultChars,
    int maxResultDevices,
    int maxResultReadings) {
  public static final ScriptLimits DEFAULT =
      new ScriptLimits(Duration.ofMillis(500), 256, 1 << 20, 100, 1000);

  public ScriptLimits {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (maxStackDepth < 1) {
      throw new IllegalArgumentException("maxStackDepth must be at least 1");
    }
    if (maxResultChars < 1 || maxResultDevices < 1 || maxResultReadings < 1) {
      throw new IllegalArgumentException("result limits must be at least 1");
    }
  }

  /** Time and depth as given, the default result limits. */
  public ScriptLimits(Duration timeout, int maxStackDepth) {
    this(
        timeout,
        maxStackDepth,
        DEFAULT.maxResultChars(),
        DEFAULT.maxResultDevices(),
        DEFAULT.maxResultReadings());
  }
}
