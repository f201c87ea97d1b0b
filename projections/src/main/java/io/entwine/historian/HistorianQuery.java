package io.entwine.historian;

/**
 * A page of raw events: those of {@code scope} with timestamp in [{@code start}, {@code end})
 * (milliseconds), of event type {@code evtType} when not null, newest first, at most {@code top},
 * strictly older than {@code after} when not null (the previous page's cursor).
 */
public record HistorianQuery(
    HistorianScope scope, String evtType, long start, long end, int top, Position after) {

  public static final int MAX_TOP = 100;

  public HistorianQuery {
    if (top < 1 || top > MAX_TOP) {
      throw new IllegalArgumentException("top must be 1 to " + MAX_TOP);
    }
    start = Buckets.clamp(start);
    end = Math.min(end, Buckets.MAX_TIME + 1);
  }

  public HistorianQuery withAfter(Position position) {
    return new HistorianQuery(scope, evtType, start, end, top, position);
  }
}
