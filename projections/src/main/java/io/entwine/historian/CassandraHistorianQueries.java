package io.entwine.historian;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.cassandra.PreparedCql;
import io.entwine.identity.DeviceKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The historian's read side over {@code cql/historian.cql}.
 *
 * <p><b>Pages</b> walk the scope's entries in {@code historian_buckets} newest first (lazily, page
 * by page) and read each bucket's event-type partitions with the query's bounds and {@code LIMIT
 * top+1}, merging them newest first until {@code top+1} events are found; the extra one only tells
 * that there is a next page. No partition is scanned beyond what the page needs.
 *
 * <p><b>Summaries</b> take the whole hours of the range from the roll-ups (one slice of one
 * partition per field and 30 days) and the partial hours at either edge from the raw events, so
 * they are exact for any range; both sides count the same events (JSON, numeric per {@link
 * NumericFields}).
 *
 * <p>(Over 400 lines as one responsibility: pages and summaries read the same tables through the
 * same prepared statements and bucket walk; the cursors and the statistics have classes of their
 * own.)
 */
public final class CassandraHistorianQueries implements HistorianQueries {

  private static final int INDEX_PAGE_SIZE = 64;
  private static final String STATS = "evt_type, count, sum, sum_sq, min, max";

  private final CassandraSession session;
  private final ActorSystem<?> system;
  private final Executor executor;
  private final PreparedCql selectBuckets;
  private final PreparedCql selectNewestBucket;
  private final PreparedCql selectOldestBucket;
  private final PreparedCql selectBucketTypes;
  private final PreparedCql pageDevice;
  private final PreparedCql pageType;
  private final PreparedCql pageOrg;
  private final PreparedCql rangeDevice;
  private final PreparedCql rangeType;
  private final PreparedCql rollupsDevice;
  private final PreparedCql rollupsType;

  public CassandraHistorianQueries(
      CassandraSession session, String keyspace, ActorSystem<?> system) {
    this.session = session;
    this.system = system;
    this.executor = system.executionContext();
    String buckets = keyspace + ".historian_buckets WHERE org = ? AND scope = ?";
    selectBuckets =
        prepared("SELECT bucket, evt_type FROM " + buckets + " AND bucket >= ? AND bucket <= ?");
    selectNewestBucket = prepared("SELECT bucket FROM " + buckets + " LIMIT 1");
    selectOldestBucket = prepared("SELECT bucket FROM " + buckets + " ORDER BY bucket ASC LIMIT 1");
    selectBucketTypes = prepared("SELECT evt_type FROM " + buckets + " AND bucket = ?");
    String device =
        keyspace
            + ".historian_device_events WHERE org = ? AND type = ? AND id = ? AND day = ? AND"
            + " evt_type = ?";
    String type =
        keyspace
            + ".historian_type_events WHERE org = ? AND type = ? AND hour = ? AND evt_type = ?";
    pageDevice =
        prepared(
            "SELECT ts, seq_nr, format, payload FROM "
                + device
                + " AND (ts, seq_nr) >= (?, ?) AND (ts, seq_nr) < (?, ?) LIMIT ?");
    pageType =
        prepared(
            "SELECT ts, id, seq_nr, format, payload FROM "
                + type
                + " AND (ts, id, seq_nr) >= (?, ?, ?) AND (ts, id, seq_nr) < (?, ?, ?) LIMIT ?");
    pageOrg =
        prepared(
            "SELECT ts, type, id, seq_nr, format, payload FROM "
                + keyspace
                + ".historian_org_events WHERE org = ? AND hour = ? AND evt_type = ? AND (ts, type,"
                + " id, seq_nr) >= (?, ?, ?, ?) AND (ts, type, id, seq_nr) < (?, ?, ?, ?) LIMIT ?");
    rangeDevice =
        prepared("SELECT ts, seq_nr, format, payload FROM " + device + " AND ts >= ? AND ts < ?");
    rangeType =
        prepared("SELECT ts, id, seq_nr, format, payload FROM " + type + " AND ts >= ? AND ts < ?");
    rollupsDevice =
        prepared(
            "SELECT "
                + STATS
                + " FROM "
                + keyspace
                + ".historian_device_rollups WHERE org = ? AND type = ? AND id = ? AND period = ?"
                + " AND field = ? AND hour >= ? AND hour < ?");
    rollupsType =
        prepared(
            "SELECT "
                + STATS
                + " FROM "
                + keyspace
                + ".historian_type_rollups WHERE org = ? AND type = ? AND period = ? AND field = ?"
                + " AND hour >= ? AND hour < ?");
  }

  // ---- pages ----

  private record Bucket(long start, List<String> evtTypes) {}

  @Override
  public CompletionStage<HistorianPage> events(HistorianQuery query) {
    if (query.start() >= query.end()) {
      return CompletableFuture.completedFuture(new HistorianPage(List.of(), Optional.empty()));
    }
    HistorianScope scope = query.scope();
    Position lower = Position.before(query.start());
    Position upper = Position.before(query.end());
    if (query.after() != null && query.after().isOlderThan(upper)) {
      upper = query.after();
    }
    Position exclusiveUpper = upper;
    long size = scope.bucketSize();
    int limit = query.top() + 1;
    CompletionStage<BoundStatement> index =
        selectBuckets
            .bind(
                scope.org(),
                scope.key(),
                Buckets.start(query.start(), size),
                Buckets.start(upper.timestamp(), size))
            .thenApply(bound -> bound.setPageSize(INDEX_PAGE_SIZE));
    return Source.completionStageSource(index.thenApply(session::select))
        .filter(row -> query.evtType() == null || query.evtType().equals(row.getString(1)))
        .map(row -> Optional.of(new Bucket(row.getLong(0), List.of(row.getString(1)))))
        .concat(Source.single(Optional.<Bucket>empty()))
        .statefulMapConcat(BucketGrouper::new)
        .mapAsync(1, bucket -> bucketPage(scope, bucket, lower, exclusiveUpper, limit))
        .mapConcat(events -> events)
        .take(limit)
        .runWith(Sink.seq(), system)
        .thenApply(events -> page(events, query.top()));
  }

  private static HistorianPage page(List<HistoricalEvent> events, int top) {
    if (events.size() <= top) {
      return new HistorianPage(events, Optional.empty());
    }
    List<HistoricalEvent> shown = events.subList(0, top);
    return new HistorianPage(List.copyOf(shown), Optional.of(shown.get(top - 1).position()));
  }

  /** Groups consecutive index rows of one bucket; an empty element ends the stream. */
  private static final class BucketGrouper
      implements org.apache.pekko.japi.function.Function<Optional<Bucket>, Iterable<Bucket>> {
    private long start;
    private List<String> evtTypes;

    @Override
    public Iterable<Bucket> apply(Optional<Bucket> next) {
      if (next.isPresent() && evtTypes != null && next.get().start() == start) {
        evtTypes.add(next.get().evtTypes().get(0));
        return List.of();
      }
      List<Bucket> complete = evtTypes == null ? List.of() : List.of(new Bucket(start, evtTypes));
      evtTypes = next.map(bucket -> new ArrayList<>(bucket.evtTypes())).orElse(null);
      start = next.map(Bucket::start).orElse(0L);
      return complete;
    }
  }

  private CompletionStage<List<HistoricalEvent>> bucketPage(
      HistorianScope scope, Bucket bucket, Position lower, Position upper, int limit) {
    List<CompletableFuture<List<HistoricalEvent>>> partitions = new ArrayList<>();
    for (String evtType : bucket.evtTypes()) {
      partitions.add(
          pageStatement(scope, bucket.start(), evtType, lower, upper, limit)
              .thenCompose(session::selectAll)
              .thenApply(rows -> events(scope, evtType, rows))
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new))
        .thenApply(
            all ->
                partitions.stream()
                    .flatMap(partition -> partition.join().stream())
                    .sorted(HistoricalEvent.NEWEST_FIRST)
                    .limit(limit)
                    .toList());
  }

  private CompletionStage<BoundStatement> pageStatement(
      HistorianScope scope,
      long bucket,
      String evtType,
      Position lower,
      Position upper,
      int limit) {
    if (scope.isDevice()) {
      return pageDevice.bind(
          scope.org(),
          scope.type(),
          scope.id(),
          bucket,
          evtType,
          lower.timestamp(),
          lower.seqNr(),
          upper.timestamp(),
          upper.seqNr(),
          limit);
    }
    if (!scope.isOrganization()) {
      return pageType.bind(
          scope.org(),
          scope.type(),
          bucket,
          evtType,
          lower.timestamp(),
          lower.id(),
          lower.seqNr(),
          upper.timestamp(),
          upper.id(),
          upper.seqNr(),
          limit);
    }
    return pageOrg.bind(
        scope.org(),
        bucket,
        evtType,
        lower.timestamp(),
        lower.type(),
        lower.id(),
        lower.seqNr(),
        upper.timestamp(),
        upper.type(),
        upper.id(),
        upper.seqNr(),
        limit);
  }

  private static List<HistoricalEvent> events(
      HistorianScope scope, String evtType, List<Row> rows) {
    List<HistoricalEvent> events = new ArrayList<>(rows.size());
    for (Row row : rows) {
      String type = scope.isOrganization() ? row.getString("type") : scope.type();
      String id = scope.isDevice() ? scope.id() : row.getString("id");
      events.add(
          new HistoricalEvent(
              new DeviceKey(scope.org(), type, id),
              evtType,
              row.getLong("ts"),
              row.getLong("seq_nr"),
              row.getString("format"),
              bytes(row.getByteBuffer("payload"))));
    }
    return events;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return new byte[0];
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  // ---- summaries ----

  @Override
  public CompletionStage<Map<String, Stats>> summarize(SummaryQuery query) {
    HistorianScope scope = query.scope();
    if (query.end() - 2 * Buckets.ROLLUP_PERIOD <= query.start()) {
      // a short range: reading its few roll-up partitions is cheaper than looking up the extent
      return summarize(query, Optional.of(new Extent(query.start(), query.end())), 0);
    }
    CompletionStage<Optional<Row>> newest =
        selectNewestBucket.bind(scope.org(), scope.key()).thenCompose(session::selectOne);
    CompletionStage<Optional<Row>> oldest =
        selectOldestBucket.bind(scope.org(), scope.key()).thenCompose(session::selectOne);
    return newest
        .thenCombine(oldest, Extent::of)
        .thenCompose(extent -> summarize(query, extent, scope.bucketSize()));
  }

  /** The time the scope has events in, from its first bucket to the end of its last. */
  private record Extent(long start, long end) {
    static Optional<Extent> of(Optional<Row> newest, Optional<Row> oldest) {
      return newest.flatMap(
          last -> oldest.map(first -> new Extent(first.getLong(0), last.getLong(0))));
    }
  }

  /**
   * @param extent the time the scope has events in: [start, end + lastBucketSize)
   */
  private CompletionStage<Map<String, Stats>> summarize(
      SummaryQuery query, Optional<Extent> extent, long lastBucketSize) {
    Map<String, Stats> totals = new LinkedHashMap<>();
    query.fields().forEach(field -> totals.put(field, Stats.EMPTY));
    if (extent.isEmpty()) {
      return CompletableFuture.completedFuture(totals);
    }
    long start = Math.max(query.start(), extent.get().start());
    long end = Math.min(query.end(), extent.get().end() + lastBucketSize);
    if (start >= end) {
      return CompletableFuture.completedFuture(totals);
    }
    SummaryPlan plan = SummaryPlan.of(start, end);
    List<CompletableFuture<Map<String, Stats>>> parts = new ArrayList<>();
    if (plan.hasWholeHours()) {
      for (long period = Buckets.period(plan.wholeStart());
          period <= Buckets.period(plan.wholeEnd() - 1);
          period++) {
        long from = Math.max(plan.wholeStart(), period * Buckets.ROLLUP_PERIOD);
        long to = Math.min(plan.wholeEnd(), (period + 1) * Buckets.ROLLUP_PERIOD);
        for (String field : query.fields()) {
          parts.add(rollups(query, period, field, from, to));
        }
      }
    }
    for (SummaryPlan.Range edge : plan.edges()) {
      parts.add(rawEdge(query, edge));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            all -> {
              for (CompletableFuture<Map<String, Stats>> part : parts) {
                part.join().forEach((field, stats) -> totals.merge(field, stats, Stats::plus));
              }
              return totals;
            });
  }

  private CompletableFuture<Map<String, Stats>> rollups(
      SummaryQuery query, long period, String field, long from, long to) {
    HistorianScope scope = query.scope();
    CompletionStage<BoundStatement> statement =
        scope.isDevice()
            ? rollupsDevice.bind(scope.org(), scope.type(), scope.id(), period, field, from, to)
            : rollupsType.bind(scope.org(), scope.type(), period, field, from, to);
    return statement
        .thenCompose(session::selectAll)
        .thenApply(
            rows -> {
              Stats total = Stats.EMPTY;
              for (Row row : rows) {
                if (query.evtType() == null || query.evtType().equals(row.getString(0))) {
                  total = total.plus(CassandraHistorianRepository.stats(row));
                }
              }
              return Map.of(field, total);
            })
        .toCompletableFuture();
  }

  private CompletableFuture<Map<String, Stats>> rawEdge(
      SummaryQuery query, SummaryPlan.Range edge) {
    HistorianScope scope = query.scope();
    long bucket = Buckets.start(edge.start(), scope.bucketSize());
    return selectBucketTypes
        .bind(scope.org(), scope.key(), bucket)
        .thenCompose(session::selectAll)
        .thenCompose(
            typeRows -> {
              List<CompletableFuture<List<Row>>> reads = new ArrayList<>();
              for (Row typeRow : typeRows) {
                String evtType = typeRow.getString(0);
                if (query.evtType() == null || query.evtType().equals(evtType)) {
                  CompletionStage<BoundStatement> range =
                      scope.isDevice()
                          ? rangeDevice.bind(
                              scope.org(),
                              scope.type(),
                              scope.id(),
                              bucket,
                              evtType,
                              edge.start(),
                              edge.end())
                          : rangeType.bind(
                              scope.org(), scope.type(), bucket, evtType, edge.start(), edge.end());
                  reads.add(range.thenCompose(session::selectAll).toCompletableFuture());
                }
              }
              return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                  .thenApplyAsync(all -> rawStats(query.fields(), reads), executor);
            })
        .toCompletableFuture();
  }

  private static Map<String, Stats> rawStats(
      List<String> fields, List<CompletableFuture<List<Row>>> reads) {
    Map<String, Stats> stats = new LinkedHashMap<>();
    for (CompletableFuture<List<Row>> read : reads) {
      for (Row row : read.join()) {
        Map<String, Double> values =
            NumericFields.of(row.getString("format"), bytes(row.getByteBuffer("payload")));
        for (String field : fields) {
          Double value = values.get(field);
          if (value != null) {
            stats.merge(field, Stats.of(value), Stats::plus);
          }
        }
      }
    }
    return stats;
  }

  private PreparedCql prepared(String cql) {
    return new PreparedCql(session, cql);
  }
}
