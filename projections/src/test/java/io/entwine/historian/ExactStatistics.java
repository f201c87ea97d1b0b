package io.entwine.historian;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collections;
import java.util.List;

/**
 * The test oracle for {@code summarize}: the statistics of some values by a two-pass BigDecimal
 * computation, rounded to a double once, as the historian must answer them to the last digit.
 */
public record ExactStatistics(
    double sum, double avg, double min, double max, double range, double variance, double stdev) {
  private static final MathContext WIDE = new MathContext(100);

  /** The statistics of {@code values} (at least one). */
  public static ExactStatistics of(List<Double> values) {
    int n = values.size();
    BigDecimal sum = BigDecimal.ZERO;
    for (double value : values) {
      sum = sum.add(new BigDecimal(value));
    }
    BigDecimal mean = sum.divide(BigDecimal.valueOf(n), WIDE);
    BigDecimal squares = BigDecimal.ZERO;
    for (double value : values) {
      BigDecimal deviation = new BigDecimal(value).subtract(mean);
      squares = squares.add(deviation.multiply(deviation));
    }
    BigDecimal variance = squares.divide(BigDecimal.valueOf(n), WIDE);
    double min = Collections.min(values);
    double max = Collections.max(values);
    return new ExactStatistics(
        sum.doubleValue(),
        mean.doubleValue(),
        min,
        max,
        new BigDecimal(max).subtract(new BigDecimal(min)).doubleValue(),
        variance.doubleValue(),
        variance.sqrt(WIDE).doubleValue());
  }

  /** The statistic the historian API names {@code type} ({@code avg}, {@code stdev} …). */
  public double named(String type) {
    return switch (type) {
      case "avg" -> avg;
      case "sum" -> sum;
      case "min" -> min;
      case "max" -> max;
      case "range" -> range;
      case "variance" -> variance;
      case "stdev" -> stdev;
      default -> throw new IllegalArgumentException(type);
    };
  }
}
