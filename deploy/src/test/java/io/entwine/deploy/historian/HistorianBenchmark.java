package io.entwine.deploy.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import io.entwine.historian.CassandraHistorianRepository;
import io.entwine.historian.HistorianProjectionHandler;
import io.entwine.identity.DeviceKey;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.Test;

/**
 * The historian-query benchmark (not a test: its name matches neither *Test nor *IT, so no build
 * runs it). One device, one day of 1 Hz events (86,400), written by the historian projection's own
 * handler; then, over HTTP against a real node, latency of {@code summarize} with each of the 8
 * types over the day (aligned to hours, and shifted so both edges are partial hours), of the day in
 * 1 h buckets ({@code interval=1h}) and of a raw page ({@code top=100}, first and a later page by
 * cursor). Prints a table and RESULT lines.
 *
 * <pre>
 * ./mvnw -B -o verify -pl deploy -Dit.test=HistorianBenchmark -Dtest=NoSuchTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbench.iterations=500
 * </pre>
 */
class HistorianBenchmark {
  private static final long DAY_START = Instant.parse("2026-11-22T00:00:00Z").toEpochMilli();
  private static final long DAY = 86_400_000L;
  private static final int EVENTS = 86_400;
  private static final int BATCH = 200;
  private static final String[] TYPES = {
    "avg", "count", "min", "max", "sum", "range", "stdev", "variance"
  };

  @Test
  void historianQueries() throws Exception {
    int iterations = Integer.getInteger("bench.iterations", 500);
    int warmUp = Math.max(20, iterations / 5);
    String keyspace = SharedCassandra.newKeyspace();
    try (TestNode node = TestNode.start("entwine.cassandra.keyspace = \"" + keyspace + "\"")) {
      ApiKey key = new Fixtures(node).organizationWithApiKey();
      DeviceKey device = new DeviceKey(key.org(), "bench", "d1");
      long loadMillis = load(keyspace, device);
      System.out.printf(
          Locale.ROOT,
          "historian-query: loaded %,d events in %.1f s (%.0f events/s through the projection"
              + " handler)%n",
          EVENTS,
          loadMillis / 1000.0,
          EVENTS * 1000.0 / loadMillis);

      String path = "/api/v0001/historian/bench/d1";
      String fields = "summarize=%7Btemp,hum,network.up%7D";
      assertEquals(
          EVENTS,
          get(node, key, path + "?" + fields + "&summarize_type=count")
              .json()
              .get("evt")
              .get("temp")
              .asLong(),
          "every event is in the roll-ups");

      List<String> lines = new ArrayList<>();
      List<Long> allAligned = new ArrayList<>();
      List<Long> allShifted = new ArrayList<>();
      for (String type : TYPES) {
        String aligned =
            path + "?" + fields + "&summarize_type=" + type + range(DAY_START, DAY_START + DAY);
        long shiftedStart = DAY_START + 30 * 60_000 + 17_000;
        long shiftedEnd = DAY_START + DAY - 29 * 60_000 - 3_000;
        String shifted =
            path + "?" + fields + "&summarize_type=" + type + range(shiftedStart, shiftedEnd);
        long[] a = measure(i -> aligned, node, key, warmUp, iterations);
        long[] s = measure(i -> shifted, node, key, warmUp, iterations);
        Arrays.stream(a).forEach(allAligned::add);
        Arrays.stream(s).forEach(allShifted::add);
        lines.add(row("summarize " + type + ", day aligned to hours", a));
        lines.add(row("summarize " + type + ", day with partial edge hours", s));
      }
      long[] aligned = allAligned.stream().mapToLong(Long::longValue).toArray();
      long[] shifted = allShifted.stream().mapToLong(Long::longValue).toArray();
      lines.add(row("summarize, all 8 types, aligned day", aligned));
      lines.add(row("summarize, all 8 types, partial-edge day", shifted));
      // the issue-21 goal: a day in 1 h buckets, the 8 types in turn
      IntFunction<String> hourly =
          i ->
              path
                  + "?"
                  + fields
                  + "&interval=1h&summarize_type="
                  + TYPES[i % TYPES.length]
                  + range(DAY_START, DAY_START + DAY);
      assertEquals(24, get(node, key, hourly.apply(0)).json().get("buckets").size());
      long[] bucketed = measure(hourly, node, key, warmUp, iterations);
      lines.add(row("summarize interval=1h, all 8 types, aligned day", bucketed));

      String firstPage = path + "?top=100";
      TestNode.Response first = get(node, key, firstPage);
      assertEquals(100, first.json().size());
      long[] page = measure(i -> firstPage, node, key, warmUp, iterations);
      lines.add(row("raw page top=100 (newest)", page));
      String middle = path + "?top=100&end=" + (DAY_START + DAY / 2);
      long[] middlePage = measure(i -> middle, node, key, warmUp, iterations);
      lines.add(row("raw page top=100 (mid-day, end=)", middlePage));

      System.out.printf(
          Locale.ROOT, "%n%-52s %9s %9s %9s%n", "query", "p50 ms", "p99 ms", "max ms");
      lines.forEach(System.out::println);
      System.out.printf(
          Locale.ROOT,
          "%nRESULT historian-query summarize-p50 %.2f ms%n"
              + "RESULT historian-query summarize-p99 %.2f ms%n"
              + "RESULT historian-query summarize-partial-edges-p99 %.2f ms%n"
              + "RESULT historian-query summarize-1h-buckets-p99 %.2f ms%n"
              + "RESULT historian-query raw-page-p50 %.2f ms%n"
              + "RESULT historian-query raw-page-p99 %.2f ms%n",
          percentile(aligned, 50),
          percentile(aligned, 99),
          percentile(shifted, 99),
          percentile(bucketed, 99),
          percentile(page, 50),
          percentile(page, 99));
    }
  }

  /** Writes the day through the projection's handler, batch after batch as the projection does. */
  private static long load(String keyspace, DeviceKey device) throws Exception {
    ActorSystem<Void> system = SharedCassandra.localActorSystem("historian-bench", keyspace);
    try {
      HistorianProjectionHandler handler =
          new HistorianProjectionHandler(
              new CassandraHistorianRepository(SharedCassandra.pekkoSession(system), keyspace));
      String persistenceId = PersistenceId.of(DeviceTwin.ENTITY_KEY.name(), device.entityId()).id();
      Random random = new Random(86_400);
      long started = System.nanoTime();
      handler.start().toCompletableFuture().get();
      List<EventEnvelope<TwinEvent>> batch = new ArrayList<>(BATCH);
      for (int second = 0; second < EVENTS; second++) {
        Instant at = Instant.ofEpochMilli(DAY_START + second * 1000L);
        String payload =
            String.format(
                Locale.ROOT,
                "{\"d\":{\"temp\":%.2f,\"hum\":%d,\"network\":{\"up\":%s}},\"ts\":\"%s\"}",
                20 + 5 * Math.sin(second / 3600.0) + random.nextGaussian(),
                40 + random.nextInt(20),
                random.nextDouble(),
                at);
        EventRecorded event =
            new EventRecorded("status", "json", payload.getBytes(StandardCharsets.UTF_8), at, at);
        batch.add(
            EventEnvelope.create(
                Offset.sequence(second + 1L),
                persistenceId,
                second + 1L,
                event,
                at.toEpochMilli()));
        if (batch.size() == BATCH || second == EVENTS - 1) {
          process(handler, batch);
          batch = new ArrayList<>(BATCH);
        }
      }
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** As the projection does after a failure: the same batch again (replays are harmless). */
  private static void process(
      HistorianProjectionHandler handler, List<EventEnvelope<TwinEvent>> batch) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        handler.process(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (attempt == 5) {
          throw e;
        }
        System.out.println("historian-query: batch failed (" + e.getCause() + "), retrying");
      }
    }
  }

  private static long[] measure(
      IntFunction<String> uri, TestNode node, ApiKey key, int warmUp, int iterations) {
    for (int i = 0; i < warmUp; i++) {
      get(node, key, uri.apply(i));
    }
    long[] nanos = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      long started = System.nanoTime();
      TestNode.Response response = get(node, key, uri.apply(i));
      nanos[i] = System.nanoTime() - started;
      if (response.status() != 200) {
        throw new AssertionError(response.status() + " " + response.body());
      }
    }
    return nanos;
  }

  private static TestNode.Response get(TestNode node, ApiKey key, String uri) {
    return node.request("GET", uri).organization(key.org()).basic(key.key(), key.token()).send();
  }

  private static String range(long start, long end) {
    return "&start=" + start + "&end=" + end;
  }

  private static String row(String name, long[] nanos) {
    return String.format(
        Locale.ROOT,
        "%-52s %9.2f %9.2f %9.2f",
        name,
        percentile(nanos, 50),
        percentile(nanos, 99),
        Arrays.stream(nanos).max().orElse(0) / 1e6);
  }

  /** Nearest-rank percentile, in milliseconds. */
  static double percentile(long[] nanos, double percent) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }
}
