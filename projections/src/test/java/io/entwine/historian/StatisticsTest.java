package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every summarize type against a two-pass BigDecimal computation, in any order of merging. */
class StatisticsTest {
  @Test
  void everyTypeMatchesATwoPassComputationToTheLastDigit() {
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      List<Double> values = new ArrayList<>();
      int n = 1 + random.nextInt(500);
      double offset = random.nextBoolean() ? 1e6 : 0; // a large mean stresses naive formulas
      for (int i = 0; i < n; i++) {
        values.add(offset + Math.round(random.nextGaussian() * 1e4) / 1e3 + random.nextDouble());
      }
      Stats stats = inChunks(values, random);
      assertAll(values, stats);
    }
  }

  @Test
  void aSingleValueHasNoSpread() {
    Stats one = Stats.of(0.1);
    assertEquals(0.1, SummarizeType.AVG.apply(one));
    assertEquals(0.0, SummarizeType.VARIANCE.apply(one));
    assertEquals(0.0, SummarizeType.STDEV.apply(one));
    assertEquals(0.0, SummarizeType.RANGE.apply(one));
    assertEquals(1L, SummarizeType.COUNT.apply(one));
  }

  @Test
  void noValuesGiveZeroCountAndSumAndNothingElse() {
    assertEquals(0L, SummarizeType.COUNT.apply(Stats.EMPTY));
    assertEquals(0.0, SummarizeType.SUM.apply(Stats.EMPTY));
    for (SummarizeType type :
        List.of(
            SummarizeType.AVG,
            SummarizeType.MIN,
            SummarizeType.MAX,
            SummarizeType.RANGE,
            SummarizeType.STDEV,
            SummarizeType.VARIANCE)) {
      assertNull(type.apply(Stats.EMPTY), type.name());
    }
  }

  @Test
  void sumsOfInexactBinaryFractionsAreExactBeforeTheOneRounding() {
    Stats stats = Stats.EMPTY;
    for (int i = 0; i < 10; i++) {
      stats = stats.plus(0.1);
    }
    // naive double addition gives 0.9999999999999999
    assertEquals(1.0, SummarizeType.SUM.apply(stats));
    assertEquals(0.1, SummarizeType.AVG.apply(stats));
  }

  @Test
  void parsesTheApiNamesInAnyCase() {
    assertEquals(SummarizeType.STDEV, SummarizeType.parse("stdev").orElseThrow());
    assertEquals(SummarizeType.VARIANCE, SummarizeType.parse("Variance").orElseThrow());
    assertEquals(true, SummarizeType.parse("median").isEmpty());
  }

  static void assertAll(List<Double> values, Stats stats) {
    ExactStatistics exact = ExactStatistics.of(values);
    assertEquals((long) values.size(), SummarizeType.COUNT.apply(stats));
    assertEquals(exact.sum(), SummarizeType.SUM.apply(stats));
    assertEquals(exact.avg(), SummarizeType.AVG.apply(stats));
    assertEquals(exact.min(), SummarizeType.MIN.apply(stats));
    assertEquals(exact.max(), SummarizeType.MAX.apply(stats));
    assertEquals(exact.range(), SummarizeType.RANGE.apply(stats));
    assertEquals(exact.variance(), SummarizeType.VARIANCE.apply(stats));
    assertEquals(exact.stdev(), SummarizeType.STDEV.apply(stats));
  }

  /** Adds the values up in random chunks, merged in random order, as roll-ups and edges are. */
  private static Stats inChunks(List<Double> values, Random random) {
    List<Double> shuffled = new ArrayList<>(values);
    Collections.shuffle(shuffled, random);
    List<Stats> chunks = new ArrayList<>();
    Stats chunk = Stats.EMPTY;
    for (double value : shuffled) {
      chunk = chunk.plus(value);
      if (random.nextInt(10) == 0) {
        chunks.add(chunk);
        chunk = Stats.EMPTY;
      }
    }
    chunks.add(chunk);
    Collections.shuffle(chunks, random);
    return chunks.stream().reduce(Stats.EMPTY, Stats::plus);
  }
}
