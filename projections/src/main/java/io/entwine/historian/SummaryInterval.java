package io.entwine.historian;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The bucket lengths of a bucketed summary. Buckets are aligned to UTC (each starts at a multiple
 * of its length since the epoch) and clipped to the summary's range, so the first and last may be
 * partial.
 */
public enum SummaryInterval {
  MINUTE("1m", 60_000L),
  FIVE_MINUTES("5m", 5 * 60_000L),
  FIFTEEN_MINUTES("15m", 15 * 60_000L),
  HOUR("1h", Buckets.HOUR),
  DAY("1d", Buckets.DAY);

  /** Beyond this a request is refused: the answer would be too large to compute and to chart. */
  public static final int MAX_BUCKETS = 1_000;

  private final String apiName;
  private final long millis;

  SummaryInterval(String apiName, long millis) {
    this.apiName = apiName;
    this.millis = millis;
  }

  public static Optional<SummaryInterval> parse(String name) {
    return Arrays.stream(values()).filter(interval -> interval.apiName.equals(name)).findFirst();
  }

  /** The names the API accepts, as a message lists them: {@code 1m, 5m, 15m, 1h, 1d}. */
  public static String names() {
    return Arrays.stream(values()).map(SummaryInterval::apiName).collect(Collectors.joining(", "));
  }

  public String apiName() {
    return apiName;
  }

  public long millis() {
    return millis;
  }

  /** How many buckets [start, end) spans (0 when empty). */
  public long bucketCount(long start, long end) {
    if (start >= end) {
      return 0;
    }
    // quotients first: the difference of two times may not fit a long
    return Math.floorDiv(end - 1, millis) - Math.floorDiv(start, millis) + 1;
  }

  /**
   * The buckets of {@code query}'s range as summary queries of their own, oldest first, each
   * [max(bucket start, start), min(bucket end, end)).
   */
  public List<SummaryQuery> split(SummaryQuery query) {
    if (bucketCount(query.start(), query.end()) > MAX_BUCKETS) {
      throw new IllegalArgumentException("more than " + MAX_BUCKETS + " buckets");
    }
    List<SummaryQuery> buckets = new ArrayList<>();
    for (long from = query.start(); from < query.end(); ) {
      long to = Math.min(query.end(), Buckets.start(from, millis) + millis);
      buckets.add(new SummaryQuery(query.scope(), query.evtType(), from, to, query.fields()));
      from = to;
    }
    return buckets;
  }
}
