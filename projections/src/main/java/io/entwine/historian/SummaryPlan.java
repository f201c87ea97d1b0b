package io.entwine.historian;

import java.util.ArrayList;
import java.util.List;

/**
 * How a summary of [start, end) is computed: the whole hours inside it from roll-ups, the partial
 * hours at its edges (each within one hour) from raw events.
 */
record SummaryPlan(long wholeStart, long wholeEnd, List<Range> edges) {

  record Range(long start, long end) {}

  static SummaryPlan of(long start, long end) {
    long wholeStart = Buckets.ceil(start, Buckets.HOUR);
    long wholeEnd = Buckets.start(end, Buckets.HOUR);
    List<Range> edges = new ArrayList<>();
    if (wholeStart > wholeEnd) {
      // start and end lie within the same hour
      edges.add(new Range(start, end));
      return new SummaryPlan(wholeStart, wholeStart, List.copyOf(edges));
    }
    if (start < wholeStart) {
      edges.add(new Range(start, wholeStart));
    }
    if (wholeEnd < end) {
      edges.add(new Range(wholeEnd, end));
    }
    return new SummaryPlan(wholeStart, wholeEnd, List.copyOf(edges));
  }

  boolean hasWholeHours() {
    return wholeStart < wholeEnd;
  }
}
