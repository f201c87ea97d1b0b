package io.entwine.historian;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The historian's read side: pages of raw events and exact summaries. */
public interface HistorianQueries {

  /** Buckets summarized at once: enough to hide round trips, few enough not to flood the store. */
  int BUCKETS_IN_FLIGHT = 8;

  CompletionStage<HistorianPage> events(HistorianQuery query);

  /** The statistics of each requested field, in the order requested (empty when no values). */
  CompletionStage<Map<String, Stats>> summarize(SummaryQuery query);

  /**
   * One exact summary per bucket of {@code interval} in the query's range, oldest first: each
   * bucket is a {@link #summarize} of its own range, so it is as exact as a summary is (roll-ups
   * for its whole hours, raw events at its edges and below an hour).
   *
   * @throws IllegalArgumentException when the range spans more than {@link
   *     SummaryInterval#MAX_BUCKETS} buckets
   */
  default CompletionStage<List<BucketSummary>> summarizeBuckets(
      SummaryQuery query, SummaryInterval interval) {
    List<SummaryQuery> buckets = interval.split(query);
    List<CompletableFuture<Map<String, Stats>>> results = new ArrayList<>(buckets.size());
    for (int i = 0; i < buckets.size(); i++) {
      SummaryQuery bucket = buckets.get(i);
      CompletionStage<?> previous =
          i < BUCKETS_IN_FLIGHT
              ? CompletableFuture.completedFuture(null)
              : results.get(i - BUCKETS_IN_FLIGHT);
      // each bucket starts when the one BUCKETS_IN_FLIGHT before it is done
      results.add(previous.thenCompose(done -> summarize(bucket)).toCompletableFuture());
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            all -> {
              List<BucketSummary> summaries = new ArrayList<>(buckets.size());
              for (int i = 0; i < buckets.size(); i++) {
                SummaryQuery bucket = buckets.get(i);
                summaries.add(
                    new BucketSummary(bucket.start(), bucket.end(), results.get(i).join()));
              }
              return summaries;
            });
  }
}
