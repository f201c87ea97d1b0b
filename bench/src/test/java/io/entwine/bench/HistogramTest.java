package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HistogramTest {
  @Test
  void percentilesAreNearestRankInTenthsOfAMillisecond() {
    Histogram histogram = new Histogram();
    for (int millis = 1; millis <= 100; millis++) {
      histogram.record(millis * 1_000_000L - 1);
    }
    assertEquals(50.0, histogram.percentileMillis(50), 0.001);
    assertEquals(99.0, histogram.percentileMillis(99), 0.001);
  }

  @Test
  void latenciesBeyondTenSecondsCountAsTenSeconds() {
    Histogram histogram = new Histogram();
    histogram.record(60_000_000_000L);
    assertEquals(10_000.1, histogram.percentileMillis(99), 0.001);
  }

  @Test
  void resetForgetsTheWarmUp() {
    Histogram histogram = new Histogram();
    histogram.record(5_000_000_000L);
    histogram.reset();
    histogram.record(1_000_000L - 1);
    assertEquals(1.0, histogram.percentileMillis(99), 0.001);
  }
}
