package io.entwine.testing;

import io.entwine.identity.DeviceKey;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/**
 * Twin events as the journal delivers them to a projection handler: global offsets, per-device
 * sequence numbers, every envelope stamped with one time. Shared by the projection handler tests.
 */
public final class TwinEventHistory {
  private final Instant timestamp;
  private final List<EventEnvelope<TwinEvent>> envelopes = new ArrayList<>();
  private final Map<DeviceKey, Long> sequenceNrs = new HashMap<>();

  public TwinEventHistory(Instant timestamp) {
    this.timestamp = timestamp;
  }

  public TwinEventHistory add(DeviceKey device, TwinEvent event) {
    long sequenceNr = sequenceNrs.merge(device, 1L, Long::sum);
    String persistenceId = PersistenceId.of(DeviceTwin.ENTITY_KEY.name(), device.entityId()).id();
    envelopes.add(
        EventEnvelope.create(
            Offset.sequence(envelopes.size() + 1L),
            persistenceId,
            sequenceNr,
            event,
            timestamp.toEpochMilli()));
    return this;
  }

  public List<EventEnvelope<TwinEvent>> envelopes() {
    return List.copyOf(envelopes);
  }
}
