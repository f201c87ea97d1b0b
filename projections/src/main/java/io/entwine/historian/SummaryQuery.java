package io.entwine.historian;

import java.util.List;

/**
 * Statistics of {@code fields} over the events of {@code scope} (a device type or a device) with
 * timestamp in [{@code start}, {@code end}), of event type {@code evtType} when not null.
 */
public record SummaryQuery(
    HistorianScope scope, String evtType, long start, long end, List<String> fields) {

  public SummaryQuery {
    if (scope.isOrganization()) {
      throw new IllegalArgumentException("summaries cover a device type or a device");
    }
    fields = List.copyOf(fields);
    start = Buckets.clamp(start);
    end = Math.min(end, Buckets.MAX_TIME + 1);
  }
}
