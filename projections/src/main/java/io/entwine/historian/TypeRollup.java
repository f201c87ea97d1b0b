package io.entwine.historian;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics of one numeric field over the events of one event type, in one hourly bucket, of
 * the devices of one type that belong to one projection slice; with, per device, the highest
 * reading number included. Each slice's projection instance is the only writer of its rows, and a
 * query adds the slices up. A replayed event (its number at most the device's entry) is skipped.
 */
public record TypeRollup(Stats stats, Map<String, Long> appliedSeqNrs) {

  public static final TypeRollup EMPTY = new TypeRollup(Stats.EMPTY, Map.of());

  public record Key(
      String org, String type, String slice, String evtType, long hour, String field) {}

  /** The updated roll-up and the per-device entries that changed (to be written). */
  public record Update(TypeRollup rollup, Map<String, Long> changedSeqNrs) {
    public boolean isEmpty() {
      return changedSeqNrs.isEmpty();
    }
  }

  public Update plus(List<DeviceRollup.Contribution> contributions) {
    Stats updated = stats;
    Map<String, Long> changed = new HashMap<>();
    for (DeviceRollup.Contribution contribution : contributions) {
      long applied =
          changed.getOrDefault(
              contribution.deviceId(), appliedSeqNrs.getOrDefault(contribution.deviceId(), 0L));
      if (contribution.seqNr() > applied) {
        updated = updated.plus(contribution.value());
        changed.put(contribution.deviceId(), contribution.seqNr());
      }
    }
    if (changed.isEmpty()) {
      return new Update(this, Map.of());
    }
    Map<String, Long> all = new HashMap<>(appliedSeqNrs);
    all.putAll(changed);
    return new Update(new TypeRollup(updated, Map.copyOf(all)), Map.copyOf(changed));
  }
}
