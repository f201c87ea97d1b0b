package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AckTimelineTest {
  @Test
  void writesEachMessagesSendTimeAfterTheStartAndItsLatencyInMilliseconds(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("timeline.txt");
    AckTimeline timeline = new AckTimeline(new Args(new String[] {"--timeline", file.toString()}));
    timeline.record(5_000_000L, 1_000_000L);
    timeline.reset();
    long start = 10_000_000L;
    for (int i = 0; i < 70_000; i++) {
      timeline.record(start + i * 100_000L, 2_500_000L);
    }
    timeline.write(start, 1_700_000_000_000L);

    List<String> lines = Files.readAllLines(file);
    assertEquals("# measurement began at epoch ms 1700000000000", lines.get(0));
    assertEquals(70_001, lines.size(), "only what was recorded after the reset, past one growth");
    assertEquals("0.0 2.5", lines.get(1));
    assertEquals("6999.9 2.5", lines.get(70_000));
  }

  @Test
  void writesNothingWithoutAFile(@TempDir Path dir) throws Exception {
    AckTimeline timeline = new AckTimeline(new Args(new String[0]));
    timeline.record(1L, 1L);
    timeline.write(0L, 0L);
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }
}
