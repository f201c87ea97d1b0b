package io.entwine.historian;

import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.cassandra.PreparedCql;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The historian's write side over the tables of {@code cql/historian.cql}. Every statement sets
 * values (the type roll-up's map only gains entries), so the driver may retry any of them.
 */
public final class CassandraHistorianRepository implements HistorianRepository {

  private static final String ROLLUP_COLUMNS = "count, sum, sum_sq, min, max";

  /** Statements in flight at once, for all slices on this node together. */
  static final int MAX_IN_FLIGHT = 64;

  private final AsyncLimiter limiter = new AsyncLimiter(MAX_IN_FLIGHT);

  private final CassandraSession session;
  private final PreparedCql insertDeviceEvent;
  private final PreparedCql insertTypeEvent;
  private final PreparedCql insertOrgEvent;
  private final PreparedCql insertBucket;
  private final PreparedCql selectDeviceRollup;
  private final PreparedCql insertDeviceRollup;
  private final PreparedCql selectTypeRollup;
  private final PreparedCql updateTypeRollup;

  public CassandraHistorianRepository(CassandraSession session, String keyspace) {
    this.session = session;
    insertDeviceEvent =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_device_events (org, type, id, day, evt_type, ts, seq_nr, format,"
                + " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insertTypeEvent =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_type_events (org, type, hour, evt_type, ts, id, seq_nr, format,"
                + " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insertOrgEvent =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_org_events (org, hour, evt_type, ts, type, id, seq_nr, format,"
                + " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insertBucket =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_buckets (org, scope, bucket, evt_type) VALUES (?, ?, ?, ?)");
    selectDeviceRollup =
        prepared(
            "SELECT "
                + ROLLUP_COLUMNS
                + ", applied_seq_nr FROM "
                + keyspace
                + ".historian_device_rollups WHERE org = ? AND type = ? AND id = ? AND period = ?"
                + " AND field = ? AND hour = ? AND evt_type = ?");
    insertDeviceRollup =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_device_rollups (org, type, id, period, field, hour, evt_type, "
                + ROLLUP_COLUMNS
                + ", applied_seq_nr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    selectTypeRollup =
        prepared(
            "SELECT "
                + ROLLUP_COLUMNS
                + ", applied FROM "
                + keyspace
                + ".historian_type_rollups WHERE org = ? AND type = ? AND period = ? AND field = ?"
                + " AND hour = ? AND evt_type = ? AND slice = ?");
    updateTypeRollup =
        prepared(
            "UPDATE "
                + keyspace
                + ".historian_type_rollups SET count = ?, sum = ?, sum_sq = ?, min = ?, max = ?,"
                + " applied = applied + ? WHERE org = ? AND type = ? AND period = ? AND field = ?"
                + " AND hour = ? AND evt_type = ? AND slice = ?");
  }

  private record BucketEntry(String org, String scope, long bucket, String evtType) {}

  @Override
  public CompletionStage<Done> store(List<HistoricalEvent> events) {
    List<CompletableFuture<Done>> writes = new ArrayList<>();
    Set<BucketEntry> buckets = new LinkedHashSet<>();
    for (HistoricalEvent event : events) {
      String org = event.device().org();
      String type = event.device().type();
      String id = event.device().id();
      long day = Buckets.start(event.timestamp(), Buckets.DAY);
      long hour = Buckets.start(event.timestamp(), Buckets.HOUR);
      ByteBuffer payload = ByteBuffer.wrap(event.payload());
      writes.add(
          write(
              insertDeviceEvent,
              org,
              type,
              id,
              day,
              event.evtType(),
              event.timestamp(),
              event.seqNr(),
              event.format(),
              payload));
      writes.add(
          write(
              insertTypeEvent,
              org,
              type,
              hour,
              event.evtType(),
              event.timestamp(),
              id,
              event.seqNr(),
              event.format(),
              payload));
      writes.add(
          write(
              insertOrgEvent,
              org,
              hour,
              event.evtType(),
              event.timestamp(),
              type,
              id,
              event.seqNr(),
              event.format(),
              payload));
      buckets.add(new BucketEntry(org, "", hour, event.evtType()));
      buckets.add(new BucketEntry(org, type, hour, event.evtType()));
      buckets.add(new BucketEntry(org, type + "/" + id, day, event.evtType()));
    }
    for (BucketEntry bucket : buckets) {
      writes.add(
          write(insertBucket, bucket.org(), bucket.scope(), bucket.bucket(), bucket.evtType()));
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(all -> Done.done());
  }

  @Override
  public CompletionStage<Optional<DeviceRollup>> deviceRollup(DeviceRollup.Key key) {
    return selectOne(
            selectDeviceRollup,
            key.device().org(),
            key.device().type(),
            key.device().id(),
            Buckets.period(key.hour()),
            key.field(),
            key.hour(),
            key.evtType())
        .thenApply(row -> row.map(r -> new DeviceRollup(stats(r), r.getLong("applied_seq_nr"))));
  }

  @Override
  public CompletionStage<Done> saveDeviceRollup(DeviceRollup.Key key, DeviceRollup rollup) {
    Stats stats = rollup.stats();
    return write(
        insertDeviceRollup,
        key.device().org(),
        key.device().type(),
        key.device().id(),
        Buckets.period(key.hour()),
        key.field(),
        key.hour(),
        key.evtType(),
        stats.count(),
        stats.sum(),
        stats.sumOfSquares(),
        stats.min(),
        stats.max(),
        rollup.appliedSeqNr());
  }

  @Override
  public CompletionStage<Optional<TypeRollup>> typeRollup(TypeRollup.Key key) {
    return selectOne(
            selectTypeRollup,
            key.org(),
            key.type(),
            Buckets.period(key.hour()),
            key.field(),
            key.hour(),
            key.evtType(),
            key.slice())
        .thenApply(
            row ->
                row.map(
                    r ->
                        new TypeRollup(
                            stats(r),
                            Map.copyOf(
                                new HashMap<>(r.getMap("applied", String.class, Long.class))))));
  }

  @Override
  public CompletionStage<Done> saveTypeRollup(TypeRollup.Key key, TypeRollup.Update update) {
    Stats stats = update.rollup().stats();
    return write(
        updateTypeRollup,
        stats.count(),
        stats.sum(),
        stats.sumOfSquares(),
        stats.min(),
        stats.max(),
        update.changedSeqNrs(),
        key.org(),
        key.type(),
        Buckets.period(key.hour()),
        key.field(),
        key.hour(),
        key.evtType(),
        key.slice());
  }

  static Stats stats(Row row) {
    return new Stats(
        row.getLong("count"),
        row.getBigDecimal("sum"),
        row.getBigDecimal("sum_sq"),
        row.getDouble("min"),
        row.getDouble("max"));
  }

  private CompletableFuture<Done> write(PreparedCql statement, Object... values) {
    return limiter.run(
        () ->
            statement
                .bind(values)
                .thenCompose(bound -> session.executeWrite(bound.setIdempotent(true))));
  }

  private CompletionStage<Optional<Row>> selectOne(PreparedCql statement, Object... values) {
    return limiter.run(() -> statement.bind(values).thenCompose(session::selectOne));
  }

  private PreparedCql prepared(String cql) {
    return new PreparedCql(session, cql);
  }
}
