package io.entwine.historian;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The aggregates of the historian's {@code summarize_type}. Each is computed exactly from {@link
 * Stats} and rounded once, to the nearest double. Variance and standard deviation are the
 * <b>population</b> statistics (divided by n, not n − 1).
 */
public enum SummarizeType {
  AVG,
  COUNT,
  MIN,
  MAX,
  SUM,
  RANGE,
  STDEV,
  VARIANCE;

  /** Far more digits than a double has: the one rounding to double is then the only one. */
  static final MathContext PRECISION = new MathContext(64);

  public static Optional<SummarizeType> parse(String name) {
    return Arrays.stream(values())
        .filter(type -> type.name().equals(name.toUpperCase(Locale.ROOT)))
        .findFirst();
  }

  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The aggregate of {@code stats}: a Long for count, a Double otherwise; null when there are no
   * values (except count and sum, which are 0).
   */
  public Number apply(Stats stats) {
    if (this == COUNT) {
      return stats.count();
    }
    if (stats.isEmpty()) {
      return this == SUM ? Double.valueOf(0.0) : null;
    }
    return switch (this) {
      case SUM -> stats.sum().doubleValue();
      case AVG -> stats.sum().divide(BigDecimal.valueOf(stats.count()), PRECISION).doubleValue();
      case MIN -> stats.min();
      case MAX -> stats.max();
      case RANGE -> new BigDecimal(stats.max()).subtract(new BigDecimal(stats.min())).doubleValue();
      case VARIANCE -> variance(stats).doubleValue();
      case STDEV -> variance(stats).sqrt(PRECISION).doubleValue();
      case COUNT -> throw new AssertionError();
    };
  }

  /** (n·Σx² − (Σx)²) / n², the exact numerator divided once. */
  static BigDecimal variance(Stats stats) {
    BigDecimal n = BigDecimal.valueOf(stats.count());
    BigDecimal numerator =
        stats.sumOfSquares().multiply(n).subtract(stats.sum().multiply(stats.sum()));
    return numerator.divide(n.multiply(n), PRECISION);
  }
}
