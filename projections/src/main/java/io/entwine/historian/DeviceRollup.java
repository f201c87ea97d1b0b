package io.entwine.historian;

import io.entwine.identity.DeviceKey;
import java.util.List;

/**
 * The statistics of one numeric field of one device's events of one event type in one hourly
 * bucket, and the highest reading number ({@link HistoricalEvent#readingNr}) of the device they
 * include. The projection applies a device's readings in order, so an event whose number is at most
 * {@code appliedSeqNr} is already counted: replays skip it.
 */
public record DeviceRollup(Stats stats, long appliedSeqNr) {

  public static final DeviceRollup EMPTY = new DeviceRollup(Stats.EMPTY, 0);

  public record Key(DeviceKey device, String evtType, long hour, String field) {}

  /** One value of the field from one event. */
  public record Contribution(String deviceId, long seqNr, double value) {}

  /** This roll-up with the contributions it does not hold yet (in sequence order). */
  public DeviceRollup plus(List<Contribution> contributions) {
    Stats updated = stats;
    long applied = appliedSeqNr;
    for (Contribution contribution : contributions) {
      if (contribution.seqNr() > applied) {
        updated = updated.plus(contribution.value());
        applied = contribution.seqNr();
      }
    }
    return applied == appliedSeqNr ? this : new DeviceRollup(updated, applied);
  }
}
