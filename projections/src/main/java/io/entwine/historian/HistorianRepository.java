package io.entwine.historian;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The historian's write side, used only by {@link HistorianProjectionHandler}. Raw events are keyed
 * by device and sequence number, so storing one again overwrites the same rows; roll-up rows carry
 * the sequence numbers they include, so the handler never adds an event twice. Every row is written
 * with its organization's TTL from {@link RowTtls} (ADR 0065).
 */
public interface HistorianRepository {

  /** Stores the raw events in the three scope layouts and notes their buckets. */
  CompletionStage<Done> store(List<HistoricalEvent> events, RowTtls ttls);

  CompletionStage<Optional<DeviceRollup>> deviceRollup(DeviceRollup.Key key);

  /** Writes the roll-ups whole; those of one device go to Cassandra together. */
  CompletionStage<Done> saveDeviceRollups(
      Map<DeviceRollup.Key, DeviceRollup> rollups, RowTtls ttls);

  CompletionStage<Optional<TypeRollup>> typeRollup(TypeRollup.Key key);

  /**
   * Writes the statistics and adds (never removes) the changed per-device sequence numbers; the
   * roll-ups of one device type go to Cassandra together.
   */
  CompletionStage<Done> saveTypeRollups(
      Map<TypeRollup.Key, TypeRollup.Update> updates, RowTtls ttls);
}
