package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.entwine.identity.DeviceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class SummaryIntervalTest {
  private static final long T0 = 1_795_392_000_000L; // 2026-11-24T00:00:00Z
  private static final HistorianScope DEVICE =
      HistorianScope.device(new DeviceKey("acme", "pi", "a1"));

  @Test
  void countsUtcAlignedBucketsTouchedByTheRange() {
    assertEquals(0, SummaryInterval.HOUR.bucketCount(T0, T0));
    assertEquals(1, SummaryInterval.HOUR.bucketCount(T0, T0 + Buckets.HOUR));
    assertEquals(2, SummaryInterval.HOUR.bucketCount(T0 + 1, T0 + Buckets.HOUR + 1));
    assertEquals(24, SummaryInterval.HOUR.bucketCount(T0, T0 + Buckets.DAY));
    assertEquals(
        Buckets.MAX_TIME / Buckets.DAY * 2 + 2,
        SummaryInterval.DAY.bucketCount(Buckets.MIN_TIME, Buckets.MAX_TIME + 1));
  }

  @Test
  void splitsTheRangeIntoAlignedBucketsClippedAtItsEdges() {
    List<SummaryQuery> buckets =
        SummaryInterval.FIFTEEN_MINUTES.split(query(T0 + 60_000, T0 + 31 * 60_000));

    assertEquals(
        List.of(
            List.of(T0 + 60_000, T0 + 15 * 60_000),
            List.of(T0 + 15 * 60_000, T0 + 30 * 60_000),
            List.of(T0 + 30 * 60_000, T0 + 31 * 60_000)),
        buckets.stream().map(bucket -> List.of(bucket.start(), bucket.end())).toList());
    assertEquals(List.of("temp"), buckets.get(2).fields());
  }

  @Test
  void refusesMoreThanAThousandBuckets() {
    assertEquals(1_000, SummaryInterval.MINUTE.split(query(T0, T0 + 1_000 * 60_000L)).size());
    assertThrows(
        IllegalArgumentException.class,
        () -> SummaryInterval.MINUTE.split(query(T0, T0 + 1_000 * 60_000L + 1)));
  }

  @Test
  void eachBucketIsTheExactSummaryOfItsEvents() {
    List<long[]> events = new ArrayList<>();
    for (long t = 0; t < 3 * Buckets.HOUR; t += 7 * 60_000 + 13) {
      events.add(new long[] {T0 + t, t % 1_000});
    }
    HistorianQueries values = new ListedValues(events);

    List<BucketSummary> buckets =
        values
            .summarizeBuckets(query(T0 + 5, T0 + 3 * Buckets.HOUR), SummaryInterval.HOUR)
            .toCompletableFuture()
            .join();

    assertEquals(3, buckets.size());
    for (BucketSummary bucket : buckets) {
      List<Double> expected =
          events.stream()
              .filter(event -> event[0] >= bucket.start() && event[0] < bucket.end())
              .map(event -> event[1] / 10.0)
              .toList();
      ExactStatistics oracle = ExactStatistics.of(expected);
      Stats stats = bucket.stats().get("temp");
      assertEquals(expected.size(), stats.count());
      for (String type : List.of("avg", "sum", "min", "max", "range", "variance", "stdev")) {
        assertEquals(
            oracle.named(type),
            SummarizeType.parse(type).orElseThrow().apply(stats).doubleValue(),
            type);
      }
    }
    assertEquals(T0 + 5, buckets.get(0).start());
    assertEquals(T0 + Buckets.HOUR, buckets.get(1).start());
  }

  private static SummaryQuery query(long start, long end) {
    return new SummaryQuery(DEVICE, null, start, end, List.of("temp"));
  }

  /** Timestamped values of field temp (value / 10), summarized by a plain scan. */
  private record ListedValues(List<long[]> events) implements HistorianQueries {
    @Override
    public CompletionStage<HistorianPage> events(HistorianQuery query) {
      throw new UnsupportedOperationException("only summaries");
    }

    @Override
    public CompletionStage<Map<String, Stats>> summarize(SummaryQuery query) {
      // answered on another thread, as a store would
      return CompletableFuture.supplyAsync(() -> Map.of("temp", scan(query)));
    }

    private Stats scan(SummaryQuery query) {
      Stats stats = Stats.EMPTY;
      for (long[] event : events) {
        if (event[0] >= query.start() && event[0] < query.end()) {
          stats = stats.plus(event[1] / 10.0);
        }
      }
      return stats;
    }
  }
}
