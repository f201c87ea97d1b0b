package io.entwine.http.historian;

import io.entwine.historian.HistorianPage;
import io.entwine.historian.HistorianQueries;
import io.entwine.historian.HistorianQuery;
import io.entwine.historian.HistoricalEvent;
import io.entwine.historian.NumericFields;
import io.entwine.historian.Stats;
import io.entwine.historian.SummaryQuery;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The historian read model as a plain list, answering by filtering and sorting it. The route tests
 * seed it directly and look at the last query the routes asked.
 */
final class InMemoryHistorian implements HistorianQueries {
  private final List<HistoricalEvent> events = new CopyOnWriteArrayList<>();
  volatile HistorianQuery lastQuery;
  volatile SummaryQuery lastSummary;

  void add(HistoricalEvent event) {
    events.add(event);
  }

  @Override
  public CompletionStage<HistorianPage> events(HistorianQuery query) {
    lastQuery = query;
    List<HistoricalEvent> matching =
        events.stream()
            .filter(event -> query.scope().contains(event.device()))
            .filter(event -> query.evtType() == null || query.evtType().equals(event.evtType()))
            .filter(event -> event.timestamp() >= query.start() && event.timestamp() < query.end())
            .filter(event -> query.after() == null || event.position().isOlderThan(query.after()))
            .sorted(HistoricalEvent.NEWEST_FIRST)
            .limit(query.top() + 1L)
            .toList();
    if (matching.size() <= query.top()) {
      return CompletableFuture.completedFuture(new HistorianPage(matching, Optional.empty()));
    }
    List<HistoricalEvent> page = matching.subList(0, query.top());
    return CompletableFuture.completedFuture(
        new HistorianPage(page, Optional.of(page.get(page.size() - 1).position())));
  }

  @Override
  public CompletionStage<Map<String, Stats>> summarize(SummaryQuery query) {
    lastSummary = query;
    Map<String, Stats> stats = new LinkedHashMap<>();
    query.fields().forEach(field -> stats.put(field, Stats.EMPTY));
    events.stream()
        .filter(event -> query.scope().contains(event.device()))
        .filter(event -> query.evtType() == null || query.evtType().equals(event.evtType()))
        .filter(event -> event.timestamp() >= query.start() && event.timestamp() < query.end())
        .forEach(
            event -> {
              Map<String, Double> values = NumericFields.of(event.format(), event.payload());
              for (String field : query.fields()) {
                Double value = values.get(field);
                if (value != null) {
                  stats.merge(field, Stats.of(value), Stats::plus);
                }
              }
            });
    return CompletableFuture.completedFuture(stats);
  }
}
