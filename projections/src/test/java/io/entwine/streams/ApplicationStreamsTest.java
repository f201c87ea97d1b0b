package io.entwine.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ApplicationStreamsTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final ApplicationStreams streams =
      new ApplicationStreams(
          testKit.system(), new JournalEvents(testKit.system()), Clock.fixed(NOW, ZoneOffset.UTC));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static String positionAt(Instant at) {
    return StreamPosition.after(Uuids.startOf(at.toEpochMilli()), 4).encode();
  }

  @Test
  void aNewStreamStartsNowInEverySlice() {
    StreamPosition now = streams.now();
    assertEquals(4, now.slices());
    assertEquals(NOW, now.oldest());
    assertTrue(now.isFresh(), "a new stream has nothing to catch up with");
    assertFalse(StreamPosition.decode(now.encode(), 4).isFresh(), "a client resuming from it has");
  }

  @Test
  void resumesWithinTheWindowAndRefusesOlderPositions() {
    Duration window = Duration.ofHours(24);
    String recent = positionAt(NOW.minus(Duration.ofHours(23)));
    assertEquals(recent, streams.resumeFrom(recent, window).encode());
    assertThrows(
        StreamFilter.InvalidFilter.class,
        () -> streams.resumeFrom(positionAt(NOW.minus(Duration.ofHours(25))), window));
  }
}
