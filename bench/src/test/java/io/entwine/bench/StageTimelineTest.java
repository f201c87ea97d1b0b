package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stage timeline over real excerpts: a Cassandra 5.0.9 system.log (a flush and two compactions
 * of an embedded node's start) and a JDK 17 {@code -Xlog:safepoint,gc} log with the utctime
 * decorator.
 */
class StageTimelineTest {
  private static final ZoneOffset UTC = ZoneOffset.UTC;

  @Test
  void pairsAFlushWithItsCompletionAndDatesCompactionsBackByTheirDuration() throws Exception {
    List<String> log = resource("cassandra-system.log");

    List<StageTimeline.Interval> flushes = StageTimeline.flushes(log, UTC);
    List<StageTimeline.Interval> compactions = StageTimeline.compactions(log, UTC);

    assertEquals(
        List.of(
            new StageTimeline.Interval(
                "flush",
                micros("2026-12-07T21:13:16.717Z"),
                micros("2026-12-07T21:13:16.797Z"),
                "system.local")),
        flushes);
    assertEquals(2, compactions.size());
    assertEquals(
        new StageTimeline.Interval(
            "compaction",
            micros("2026-12-07T21:13:18.816Z"),
            micros("2026-12-07T21:13:18.903Z"),
            "system.local (7)"),
        compactions.get(0));
    assertEquals("system_schema.keyspaces (4)", compactions.get(1).what());
  }

  @Test
  void keepsSafepointsOfAtLeastTheMinimumEndingAtTheirTimestamp() throws Exception {
    List<StageTimeline.Interval> pauses =
        StageTimeline.pauses(resource("jvm-safepoint.log"), 5_000);

    assertEquals(2, pauses.size(), "the 0.4 ms Cleanup safepoint is left out");
    assertEquals(
        new StageTimeline.Interval(
            "pause",
            micros("2026-12-07T22:52:36.668Z") - 34_237,
            micros("2026-12-07T22:52:36.668Z"),
            "G1CollectForAllocation"),
        pauses.get(0));
  }

  @Test
  void readsTheNodesSlowStatementWarnings() {
    List<StageTimeline.Interval> slow =
        StageTimeline.slowStatements(
            List.of(
                "2026-12-07T22:52:36.900Z WARN  i.e.d.m.StatementLatencies - Slow CQL statement"
                    + " batch insert tag_views: 120.5 ms on /127.0.0.1:9042",
                "2026-12-07T22:52:36.950Z WARN  o.a.p.p.c.j.TagWriter - something else"));

    assertEquals(
        List.of(
            new StageTimeline.Interval(
                "slow cql",
                micros("2026-12-07T22:52:36.900Z") - 120_500,
                micros("2026-12-07T22:52:36.900Z"),
                "batch insert tag_views")),
        slow);
  }

  @Test
  void tellsTheJournalsStatementsFromTheReadSides() {
    for (String journal :
        List.of("insert messages", "batch insert tag_views", "insert tag_write_progress")) {
      assertTrue(isJournal(journal), journal);
    }
    for (String readSide :
        List.of("batch insert historian_device_events", "insert usage_device_days")) {
      assertFalse(isJournal(readSide), readSide);
    }
  }

  private static boolean isJournal(String statement) {
    return StageTimeline.isJournal(new StageTimeline.Interval("slow cql", 0, 1, statement));
  }

  @Test
  void sharesSlowAckTimeByStageAndCountsWhatEachOverlaps() throws Exception {
    List<StageTimeline.SlowAck> acks =
        StageTimeline.acks(
            List.of(
                "# received-at µs\ttotal\tadmission\tto-twin\thandler\tjournal\treply",
                // during the flush of system.local: the journal took most
                micros("2026-12-07T21:13:16.750Z") + "\t60\t5\t5\t0\t50\t0",
                // during the G1 pause: waiting to reach the twin took most
                micros("2026-12-07T22:52:36.640Z") + "\t100\t10\t80\t0\t10\t0",
                // unstamped (a reply without the twin's stamps), at a quiet moment
                micros("2026-12-07T23:00:00Z") + "\t40\t0\t-\t-\t-\t40"));
    Map<String, List<StageTimeline.Interval>> events = new LinkedHashMap<>();
    events.put("flush", StageTimeline.flushes(resource("cassandra-system.log"), UTC));
    events.put("node pause", StageTimeline.pauses(resource("jvm-safepoint.log"), 5_000));

    String report = StageTimeline.report(acks, events);

    assertTrue(report.matches("(?s)slow acks\\s+3 .*"), report);
    assertTrue(report.matches("(?s).*stage journal share %\\s+30\\.0 .*"), report);
    assertTrue(report.matches("(?s).*stage to-twin share %\\s+42\\.5 .*"), report);
    assertTrue(report.matches("(?s).*stage reply share %\\s+20\\.0 .*"), report);
    assertTrue(report.matches("(?s).*overlap flush %\\s+33\\.3  1 slow acks; 1 events.*"), report);
    assertTrue(report.matches("(?s).*overlap node pause %\\s+33\\.3  1 slow acks.*"), report);
    assertTrue(report.matches("(?s).*overlap none %\\s+33\\.3 .*"), report);
  }

  private static long micros(String instant) {
    Instant at = Instant.parse(instant);
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
  }

  private static List<String> resource(String name) throws IOException, URISyntaxException {
    return StageTimeline.lines(
        Path.of(StageTimelineTest.class.getResource("/stage-timeline/" + name).toURI()).toString());
  }
}
