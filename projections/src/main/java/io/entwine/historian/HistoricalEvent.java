package io.entwine.historian;

import io.entwine.identity.DeviceKey;
import io.entwine.twin.DeviceTwin;
import java.util.Comparator;

/**
 * One recorded device event (a reading) as the historian keeps it. {@code timestamp} is the event's
 * time (the IOTF {@code ts}, else the arrival), in epoch milliseconds; {@code seqNr} is its reading
 * number, which with the device identifies it and orders the device's readings: see {@link
 * #readingNr}.
 */
public record HistoricalEvent(
    DeviceKey device, String evtType, long timestamp, long seqNr, String format, byte[] payload) {

  /** Newest first; ties by device type, id and sequence number, all descending. */
  public static final Comparator<HistoricalEvent> NEWEST_FIRST =
      Comparator.comparing(HistoricalEvent::position, Position.NEWEST_FIRST);

  /**
   * The reading number of the {@code index}th reading of the twin's journal event {@code
   * sequenceNr}: a twin persists at most {@link DeviceTwin#READINGS_PER_EVENT} readings in one
   * journal event, so the numbers grow with the journal's order and never collide.
   */
  public static long readingNr(long sequenceNr, int index) {
    return Math.addExact(Math.multiplyExact(sequenceNr, DeviceTwin.READINGS_PER_EVENT), index);
  }

  public Position position() {
    return new Position(timestamp, device.type(), device.id(), seqNr);
  }
}
