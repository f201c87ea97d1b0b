package io.entwine.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lines up a node's slow acknowledgements (their stages, from {@code GET
 * /api/v0002/admin/slow-acknowledgements}) with what else happened at the time: Cassandra's
 * memtable flushes and compactions (its system.log), both JVMs' safepoint pauses ({@code
 * -Xlog:safepoint} with the {@code utctime} decorator) and the slow CQL statements the node logged.
 * Prints the share of slow-ack time per stage and how many slow acks overlap each kind of event
 * (docs/adr/0079; {@code entwine bench stages}).
 *
 * <p>Input files: {@code --acks} (tab-separated: received-at epoch µs, total, admission, to-twin,
 * handler, journal, reply in ms, "-" when not stamped), {@code --cassandra-log}, {@code
 * --node-jvm-log}, {@code --cassandra-jvm-log}, {@code --node-log}; each optional but the acks.
 */
final class StageTimeline {
  static final String[] STAGES = {"admission", "to-twin", "handler", "journal", "reply"};

  /** Something that took time, in epoch microseconds. */
  record Interval(String kind, long startMicros, long endMicros, String what) {
    boolean overlaps(long start, long end) {
      return startMicros < end && start < endMicros;
    }
  }

  /** A slow acknowledgement: when its event arrived, its total and stages in ms (NaN: none). */
  record SlowAck(long startMicros, double totalMillis, double[] stageMillis) {
    long endMicros() {
      return startMicros + Math.round(totalMillis * 1000);
    }
  }

  private static final Pattern CASSANDRA_LINE =
      Pattern.compile(
          "^\\w+\\s+\\[[^]]*]\\s+(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3})\\s");
  private static final DateTimeFormatter CASSANDRA_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS", Locale.ROOT);
  private static final Pattern ENQUEUED = Pattern.compile("Enqueuing flush of (\\w+)\\.(\\w+)");
  private static final Pattern FLUSHED =
      Pattern.compile("Completed flushing \\S*/data/(\\w+)/(\\w+?)-[0-9a-f]{32}/");
  private static final Pattern COMPACTED =
      Pattern.compile(
          "Compacted \\([^)]*\\) (\\d+) sstables to \\[\\S*/data/(\\w+)/(\\w+?)-[0-9a-f]{32}/.*"
              + " in ([\\d,]+)ms\\.");
  private static final Pattern SAFEPOINT =
      Pattern.compile("^\\[([^]]+)]\\[safepoint\\s*] Safepoint \"(\\w+)\",.* Total: (\\d+) ns");
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT);
  private static final Pattern SLOW_STATEMENT =
      Pattern.compile("^(\\S+) WARN .*Slow CQL statement (.+?): ([\\d.]+) ms");

  private StageTimeline() {}

  public static void main(String[] argv) throws IOException {
    Args args = new Args(argv);
    ZoneId zone = ZoneId.of(args.text("zone", ZoneId.systemDefault().getId()));
    long minPauseMicros = args.integer("min-pause-ms", 5) * 1000L;
    List<SlowAck> acks = acks(lines(args.text("acks")));
    List<String> cassandra = lines(args.text("cassandra-log", ""));
    Map<String, List<Interval>> events = new LinkedHashMap<>();
    events.put("flush", flushes(cassandra, zone));
    events.put("compaction", compactions(cassandra, zone));
    events.put("node pause", pauses(lines(args.text("node-jvm-log", "")), minPauseMicros));
    events.put(
        "cassandra pause", pauses(lines(args.text("cassandra-jvm-log", "")), minPauseMicros));
    List<Interval> slow = slowStatements(lines(args.text("node-log", "")));
    events.put("slow journal cql", slow.stream().filter(StageTimeline::isJournal).toList());
    events.put("slow read-side cql", slow.stream().filter(e -> !isJournal(e)).toList());
    System.out.print(report(acks, events));
  }

  static List<String> lines(String file) throws IOException {
    return file.isEmpty() || !Files.isRegularFile(Path.of(file))
        ? List.of()
        : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
  }

  static List<SlowAck> acks(List<String> lines) {
    List<SlowAck> acks = new ArrayList<>();
    for (String line : lines) {
      String[] fields = line.split("\t");
      if (line.startsWith("#") || fields.length < 2 + STAGES.length) {
        continue;
      }
      double[] stages = new double[STAGES.length];
      for (int i = 0; i < STAGES.length; i++) {
        stages[i] = fields[2 + i].equals("-") ? Double.NaN : Double.parseDouble(fields[2 + i]);
      }
      acks.add(new SlowAck(Long.parseLong(fields[0]), Double.parseDouble(fields[1]), stages));
    }
    return acks;
  }

  /** Memtable flushes: from "Enqueuing flush of ks.table" to its "Completed flushing" line. */
  static List<Interval> flushes(List<String> lines, ZoneId zone) {
    Map<String, Deque<Long>> enqueued = new HashMap<>();
    List<Interval> flushes = new ArrayList<>();
    for (String line : lines) {
      Long at = cassandraTime(line, zone);
      if (at == null) {
        continue;
      }
      Matcher start = ENQUEUED.matcher(line);
      Matcher done = FLUSHED.matcher(line);
      if (start.find()) {
        enqueued
            .computeIfAbsent(start.group(1) + "." + start.group(2), t -> new ArrayDeque<>())
            .add(at);
      } else if (done.find()) {
        String table = done.group(1) + "." + done.group(2);
        Deque<Long> waiting = enqueued.get(table);
        Long began = waiting == null ? null : waiting.poll();
        flushes.add(new Interval("flush", began == null ? at : began, at, table));
      }
    }
    return flushes;
  }

  /** Compactions: logged when done, with their duration ("in 87ms"). */
  static List<Interval> compactions(List<String> lines, ZoneId zone) {
    List<Interval> compactions = new ArrayList<>();
    for (String line : lines) {
      Matcher compacted = COMPACTED.matcher(line);
      Long at = cassandraTime(line, zone);
      if (at != null && compacted.find()) {
        long tookMicros = Long.parseLong(compacted.group(4).replace(",", "")) * 1000;
        compactions.add(
            new Interval(
                "compaction",
                at - tookMicros,
                at,
                compacted.group(2) + "." + compacted.group(3) + " (" + compacted.group(1) + ")"));
      }
    }
    return compactions;
  }

  /** Safepoints of at least {@code minMicros}, from a -Xlog:safepoint log with utctime. */
  static List<Interval> pauses(List<String> lines, long minMicros) {
    List<Interval> pauses = new ArrayList<>();
    for (String line : lines) {
      Matcher safepoint = SAFEPOINT.matcher(line);
      if (safepoint.find()) {
        long totalMicros = Long.parseLong(safepoint.group(3)) / 1000;
        if (totalMicros >= minMicros) {
          long end = micros(OffsetDateTime.parse(safepoint.group(1), UTC_TIME));
          pauses.add(new Interval("pause", end - totalMicros, end, safepoint.group(2)));
        }
      }
    }
    return pauses;
  }

  /** The node's "Slow CQL statement" warnings (ENTWINE_SLOW_CQL_THRESHOLD), logged when done. */
  static List<Interval> slowStatements(List<String> lines) {
    List<Interval> statements = new ArrayList<>();
    for (String line : lines) {
      Matcher slow = SLOW_STATEMENT.matcher(line);
      if (slow.find()) {
        long end = micros(OffsetDateTime.parse(slow.group(1)));
        long took = Math.round(Double.parseDouble(slow.group(3)) * 1000);
        statements.add(new Interval("slow cql", end - took, end, slow.group(2)));
      }
    }
    return statements;
  }

  /**
   * Whether a slow statement is the journal's: its rows ({@code messages}) and the tag writer's
   * ({@code tag_views}, {@code tag_write_progress}, {@code tag_scanning}); the rest are the read
   * side's (projections, offsets, historian, usage) or queries.
   */
  static boolean isJournal(Interval statement) {
    String what = statement.what();
    return what.endsWith(" messages") || what.contains(" tag_");
  }

  /**
   * The breakdown: stage shares of slow-ack time, overlaps per kind of event, and the events of
   * each kind within the slow acks' span (first start to last end).
   */
  static String report(List<SlowAck> acks, Map<String, List<Interval>> events) {
    StringBuilder out = new StringBuilder();
    long spanStart = acks.stream().mapToLong(SlowAck::startMicros).min().orElse(0);
    long spanEnd = acks.stream().mapToLong(SlowAck::endMicros).max().orElse(0);
    double total = 0;
    double[] stageTotals = new double[STAGES.length];
    int[] dominant = new int[STAGES.length];
    for (SlowAck ack : acks) {
      total += ack.totalMillis();
      int largest = 0;
      for (int i = 0; i < STAGES.length; i++) {
        double stage = Double.isNaN(ack.stageMillis()[i]) ? 0 : ack.stageMillis()[i];
        stageTotals[i] += stage;
        if (stage > (Double.isNaN(ack.stageMillis()[largest]) ? 0 : ack.stageMillis()[largest])) {
          largest = i;
        }
      }
      dominant[largest]++;
    }
    line(out, "slow acks", acks.size(), "");
    line(out, "slow-ack total ms", Math.round(total), "");
    for (int i = 0; i < STAGES.length; i++) {
      line(
          out,
          "stage " + STAGES[i] + " share %",
          total > 0 ? Math.round(1000 * stageTotals[i] / total) / 10.0 : 0,
          "the largest stage of " + dominant[i] + " slow acks");
    }
    int overlapsAny = 0;
    Map<String, Integer> overlaps = new TreeMap<>();
    for (SlowAck ack : acks) {
      boolean any = false;
      for (Map.Entry<String, List<Interval>> kind : events.entrySet()) {
        boolean overlapping =
            kind.getValue().stream().anyMatch(e -> e.overlaps(ack.startMicros(), ack.endMicros()));
        if (overlapping) {
          overlaps.merge(kind.getKey(), 1, Integer::sum);
          any = true;
        }
      }
      overlapsAny += any ? 1 : 0;
    }
    for (Map.Entry<String, List<Interval>> kind : events.entrySet()) {
      int overlapping = overlaps.getOrDefault(kind.getKey(), 0);
      line(
          out,
          "overlap " + kind.getKey() + " %",
          acks.isEmpty() ? 0 : Math.round(1000.0 * overlapping / acks.size()) / 10.0,
          overlapping
              + " slow acks; "
              + describe(
                  kind.getValue().stream().filter(e -> e.overlaps(spanStart, spanEnd)).toList()));
    }
    line(
        out,
        "overlap none %",
        acks.isEmpty() ? 0 : Math.round(1000.0 * (acks.size() - overlapsAny) / acks.size()) / 10.0,
        (acks.size() - overlapsAny) + " slow acks overlap none of the above");
    return out.toString();
  }

  private static String describe(List<Interval> events) {
    long micros = events.stream().mapToLong(e -> e.endMicros() - e.startMicros()).sum();
    Map<String, Integer> byWhat = new TreeMap<>();
    events.forEach(e -> byWhat.merge(e.what(), 1, Integer::sum));
    String top =
        byWhat.entrySet().stream()
            .sorted((a, b) -> b.getValue() - a.getValue())
            .limit(4)
            .map(e -> e.getKey() + " ×" + e.getValue())
            .reduce((a, b) -> a + ", " + b)
            .orElse("");
    return String.format(
        Locale.ROOT,
        "%d events, %.0f ms in all%s",
        events.size(),
        micros / 1e3,
        top.isEmpty() ? "" : ": " + top);
  }

  private static void line(StringBuilder out, String figure, Number value, String note) {
    out.append(String.format(Locale.ROOT, "%-28s %10s  %s%n", figure, value, note));
  }

  private static Long cassandraTime(String line, ZoneId zone) {
    Matcher time = CASSANDRA_LINE.matcher(line);
    return time.find()
        ? micros(LocalDateTime.parse(time.group(1), CASSANDRA_TIME).atZone(zone).toOffsetDateTime())
        : null;
  }

  private static long micros(OffsetDateTime time) {
    return time.toEpochSecond() * 1_000_000 + time.getNano() / 1000;
  }
}
