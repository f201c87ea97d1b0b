package io.entwine.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/** Latencies in 0.1 ms buckets up to 10 s: cheap to record from many threads. */
final class Histogram {
  private static final int BUCKETS = 100_000;
  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

  void record(long nanos) {
    int bucket = (int) Math.min(BUCKETS, nanos / 100_000);
    counts.incrementAndGet(bucket);
  }

  void reset() {
    for (int i = 0; i <= BUCKETS; i++) {
      counts.set(i, 0);
    }
  }

  double percentileMillis(double percentile) {
    long total = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      total += counts.get(i);
    }
    long rank = (long) Math.ceil(total * percentile / 100.0);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank && rank > 0) {
        return (i + 1) / 10.0;
      }
    }
    return 0;
  }
}
