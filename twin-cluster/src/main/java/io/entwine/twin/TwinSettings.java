package io.entwine.twin;

import com.typesafe.config.Config;
import io.entwine.config.ConfigRecords;
import java.time.Duration;

/** The twin's settings from {@code entwine.twin} (defaults in reference.conf). */
public record TwinSettings(
    int snapshotEvery,
    int keepSnapshots,
    int maxCachedEventIds,
    int maxQueuedCommands,
    Duration commandTimeToLive,
    Duration nonceWindow) {

  public TwinSettings(
      int snapshotEvery,
      int keepSnapshots,
      int maxCachedEventIds,
      int maxQueuedCommands,
      Duration commandTimeToLive) {
    this(
        snapshotEvery,
        keepSnapshots,
        maxCachedEventIds,
        maxQueuedCommands,
        commandTimeToLive,
        Duration.ofMinutes(5));
  }

  public static TwinSettings from(Config root) {
    return ConfigRecords.read(root, "entwine.twin", TwinSettings.class);
  }
}
