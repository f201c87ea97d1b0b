package io.entwine.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        StreamFilter.InvalidFilter.class, () -> StreamPosition.decode("3" + valid.substring(1), 4));
    assertThrows(StreamFilter.InvalidFilter.class, () -> StreamPosition.decode(valid + "AAAA", 4));
    String randomUuids =
        StreamPosition.after(UUID.randomUUID(), 4).encode(); // version 4: not a journal offset
    assertThrows(StreamFilter.InvalidFilter.class, () -> StreamPosition.decode(randomUuids, 4));
  }

  @Test
  void keepsItsRunsAndReadsTheFormerFormWithoutThem() {
    StreamPosition start = StreamPosition.after(Uuids.timeBased(), 4);
    long device = DeviceHash.of("acme/t/d1");
    StreamPosition position =
        start
            .withRun(device, StreamPosition.readingKey(7, 0))
            .withRunExtended(device, StreamPosition.readingKey(9, 2))
            .withRun(DeviceHash.of("acme/t/d2"), StreamPosition.readingKey(300_000, 1));
    StreamPosition decoded = StreamPosition.decode(position.encode(), 4);
    assertEquals(position, decoded);
    assertEquals(2, decoded.runs().size());
    assertTrue(decoded.handledAhead(device, StreamPosition.readingKey(8, 5)));
    assertFalse(decoded.handledAhead(device, StreamPosition.readingKey(9, 3)));
    assertEquals(1, decoded.withRunsPassed(device, StreamPosition.readingKey(9, 2)).runs().size());

    // an id sent before runs existed: "1." and the vector alone
    assertEquals(start, StreamPosition.decode("1." + vectorOnly(start), 4));
  }

  private static String vectorOnly(StreamPosition position) {
    byte[] raw = java.util.Base64.getUrlDecoder().decode(position.encode().substring(2));
    byte[] vector = java.util.Arrays.copyOfRange(raw, 1, 1 + 80);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(vector);
  }
}
