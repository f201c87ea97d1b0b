package io.entwine.historian;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The historian's read side: pages of raw events and exact summaries. */
public interface HistorianQueries {

  CompletionStage<HistorianPage> events(HistorianQuery query);

  /** The statistics of each requested field, in the order requested (empty when no values). */
  CompletionStage<Map<String, Stats>> summarize(SummaryQuery query);
}
