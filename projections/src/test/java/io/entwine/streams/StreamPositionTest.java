package io.entwine.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StreamPositionTest {
  @Test
  void roundTripsThroughItsTextForm() {
    UUID start = Uuids.startOf(1_700_000_000_000L);
    UUID event = Uuids.timeBased();
    StreamPosition position = StreamPosition.after(start, 4).advanced(2, event, 0, 3);
    StreamPosition decoded = StreamPosition.decode(position.encode(), 4);
    assertEquals(position, decoded);
    assertEquals(event, decoded.offset(2));
    assertEquals(1, decoded.delivered(2), "one of three readings delivered");
    assertEquals(StreamPosition.ALL, decoded.delivered(0));
    assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), decoded.oldest());
  }

  @Test
  void theLastReadingOfAnEventCompletesIt() {
    UUID event = Uuids.timeBased();
    StreamPosition position = StreamPosition.after(Uuids.timeBased(), 4).advanced(1, event, 2, 3);
    assertEquals(StreamPosition.ALL, position.delivered(1));
  }

  @Test
  void refusesWhatItDidNotWrite() {
    String valid = StreamPosition.after(Uuids.timeBased(), 4).encode();
    assertThrows(StreamFilter.InvalidFilter.class, () -> StreamPosition.decode(valid, 3));
    assertThrows(StreamFilter.InvalidFilter.class, () -> StreamPosition.decode("nonsense", 4));
    assertThrows(
        StreamFilter.InvalidFilter.class, () -> StreamPosition.decode("2" + valid.substring(1), 4));
    String randomUuids =
        StreamPosition.after(UUID.randomUUID(), 4).encode(); // version 4: not a journal offset
    assertThrows(StreamFilter.InvalidFilter.class, () -> StreamPosition.decode(randomUuids, 4));
  }
}
