package io.entwine.twin;

import com.typesafe.config.Config;
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
    Config config = root.getConfig("entwine.twin");
    return new TwinSettings(
        config.getInt("snapshot-every"),
        config.getInt("keep-snapshots"),
        config.getInt("max-cached-event-ids"),
        config.getInt("max-queued-commands"),
        config.getDuration("command-time-to-live"),
        config.getDuration("nonce-window"));
  }
}
