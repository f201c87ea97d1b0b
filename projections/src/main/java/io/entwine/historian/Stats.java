package io.entwine.historian;

import java.math.BigDecimal;

/**
 * Count, sum, sum of squares, minimum and maximum of a set of numeric values, kept exactly: each
 * value is a double and enters the sums at its exact binary value, so sums do not depend on the
 * order of addition and two {@code Stats} merge without rounding. Immutable.
 */
public record Stats(long count, BigDecimal sum, BigDecimal sumOfSquares, double min, double max) {

  public static final Stats EMPTY =
      new Stats(0, BigDecimal.ZERO, BigDecimal.ZERO, Double.NaN, Double.NaN);

  public static Stats of(double value) {
    BigDecimal exact = new BigDecimal(value);
    return new Stats(1, exact, exact.multiply(exact), value, value);
  }

  public boolean isEmpty() {
    return count == 0;
  }

  public Stats plus(double value) {
    return plus(of(value));
  }

  public Stats plus(Stats other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    return new Stats(
        count + other.count,
        sum.add(other.sum),
        sumOfSquares.add(other.sumOfSquares),
        Math.min(min, other.min),
        Math.max(max, other.max));
  }
}
