package io.entwine.historian;

import io.entwine.identity.DeviceKey;
import java.util.Comparator;

/**
 * One recorded device event as the historian keeps it. {@code timestamp} is the event's time (the
 * IOTF {@code ts}, else the arrival), in epoch milliseconds; {@code seqNr} is the twin's sequence
 * number of the event, which with the device identifies it.
 */
public record HistoricalEvent(
    DeviceKey device, String evtType, long timestamp, long seqNr, String format, byte[] payload) {

  /** Newest first; ties by device type, id and sequence number, all descending. */
  public static final Comparator<HistoricalEvent> NEWEST_FIRST =
      Comparator.comparing(HistoricalEvent::position, Position.NEWEST_FIRST);

  public Position position() {
    return new Position(timestamp, device.type(), device.id(), seqNr);
  }
}
