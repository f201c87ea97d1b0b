package io.entwine.bench;

/**
 * The send time a load generator writes into each payload ({@code "t":<nanoseconds>}, counted from
 * when this JVM first used it, so that the number stays short) and reads back when the message
 * arrives, to record its latency.
 */
final class SendTime {
  private static final long ORIGIN = System.nanoTime();
  private static final String FIELD = "\"t\":";

  private SendTime() {}

  /** Now, as a payload carries it. */
  static long now() {
    return System.nanoTime() - ORIGIN;
  }

  /** Records in {@code latency} how long ago the send time in {@code text} was, if it has one. */
  static void recordSince(String text, Histogram latency) {
    int at = text.indexOf(FIELD);
    if (at < 0) {
      return;
    }
    int start = at + FIELD.length();
    int end = start;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    latency.record(now() - Long.parseLong(text, start, end, 10));
  }
}
