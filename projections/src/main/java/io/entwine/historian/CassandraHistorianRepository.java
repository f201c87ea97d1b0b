package io.entwine.historian;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.cassandra.PreparedCql;
import io.entwine.concurrent.AsyncPermits;
import io.entwine.identity.DeviceKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * values (the type roll-up's map only gains entries), so the driver may retry any of them. Every
 * statement carries its organization's TTL ({@code USING TTL}, 0 for none; ADR 0065).
 *
 * <p>(Just over 400 lines as one responsibility: every table a recorded reading lands in is written
 * here, so one reading's rows share their TTL, bucket and idempotence rules.)
 */
public final class CassandraHistorianRepository implements HistorianRepository {

  private static final String ROLLUP_COLUMNS = "count, sum, sum_sq, min, max";

  /** Statements in flight at once, for all slices on this node together. */
  static final int MAX_IN_FLIGHT = 64;

  /**
   * Cassandra logs a warning for every batch above 5 KiB (batch_size_warn_threshold); a batch is
   * cut below that by an estimate of its rows' size.
   */
  static final int MAX_BATCH_BYTES = 4 * 1024;

  /** Keys, clustering columns and cell overhead of a raw event row, beside its payload. */
  private static final int ROW_OVERHEAD_BYTES = 96;

  private static final int ROLLUP_ROW_BYTES = 64;

  /** Buckets noted on this node, with when their rows expire. */
  private static final int WRITTEN_BUCKETS_KEPT = 50_000;

  private static final long NEVER = Long.MAX_VALUE;

  private final AsyncPermits limiter =
      new AsyncPermits("historian statements in flight", MAX_IN_FLIGHT);
  private final Map<BucketEntry, Long> writtenBuckets =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<BucketEntry, Long> eldest) {
              return size() > WRITTEN_BUCKETS_KEPT;
            }
          });

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
                + " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?");
    insertTypeEvent =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_type_events (org, type, hour, evt_type, ts, id, seq_nr, format,"
                + " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?");
    insertOrgEvent =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_org_events (org, hour, evt_type, ts, type, id, seq_nr, format,"
                + " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?");
    insertBucket =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".historian_buckets (org, scope, bucket, evt_type) VALUES (?, ?, ?, ?)"
                + " USING TTL ?");
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
                + ", applied_seq_nr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?");
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
                + ".historian_type_rollups USING TTL ? SET count = ?, sum = ?, sum_sq = ?,"
                + " min = ?, max = ?, applied = applied + ? WHERE org = ? AND type = ?"
                + " AND period = ? AND field = ? AND hour = ? AND evt_type = ? AND slice = ?");
  }

  private record BucketEntry(String org, String scope, long bucket, String evtType) {}

  @Override
  public CompletionStage<Done> store(List<HistoricalEvent> events, RowTtls ttls) {
    PartitionBatches byDevice = new PartitionBatches(insertDeviceEvent);
    PartitionBatches byType = new PartitionBatches(insertTypeEvent);
    PartitionBatches byOrg = new PartitionBatches(insertOrgEvent);
    Set<BucketEntry> buckets = new LinkedHashSet<>();
    for (HistoricalEvent event : events) {
      String org = event.device().org();
      String type = event.device().type();
      String id = event.device().id();
      String evtType = event.evtType();
      long day = Buckets.start(event.timestamp(), Buckets.DAY);
      long hour = Buckets.start(event.timestamp(), Buckets.HOUR);
      ByteBuffer payload = ByteBuffer.wrap(event.payload());
      int bytes = event.payload().length;
      int ttl = ttls.rawEvents(org);
      byDevice.add(
          List.of(org, type, id, day, evtType),
          bytes,
          org,
          type,
          id,
          day,
          evtType,
          event.timestamp(),
          event.seqNr(),
          event.format(),
          payload,
          ttl);
      byType.add(
          List.of(org, type, hour, evtType),
          bytes,
          org,
          type,
          hour,
          evtType,
          event.timestamp(),
          id,
          event.seqNr(),
          event.format(),
          payload,
          ttl);
      byOrg.add(
          List.of(org, hour, evtType),
          bytes,
          org,
          hour,
          evtType,
          event.timestamp(),
          type,
          id,
          event.seqNr(),
          event.format(),
          payload,
          ttl);
      buckets.add(new BucketEntry(org, "", hour, evtType));
      buckets.add(new BucketEntry(org, type, hour, evtType));
      buckets.add(new BucketEntry(org, type + "/" + id, day, evtType));
    }
    List<CompletableFuture<Done>> writes = new ArrayList<>();
    byDevice.writeTo(writes);
    byType.writeTo(writes);
    byOrg.writeTo(writes);
    long now = System.currentTimeMillis();
    for (BucketEntry bucket : buckets) {
      long lifetime = ttls.bucketLifetime(bucket.org());
      Long expires = writtenBuckets.get(bucket);
      if (expires == null || expires < expiry(now, lifetime)) {
        // written again when its row would not outlive the rows written now (a day before it
        // expires, or when the organization's retention grew)
        int ttl = lifetime == 0 ? 0 : (int) (lifetime + RowTtls.BUCKET_MARGIN_SECONDS);
        writes.add(
            write(
                    insertBucket,
                    bucket.org(),
                    bucket.scope(),
                    bucket.bucket(),
                    bucket.evtType(),
                    ttl)
                .thenApply(
                    done -> {
                      writtenBuckets.put(bucket, expiry(now, ttl));
                      return done;
                    }));
      }
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(all -> Done.done());
  }

  private static long expiry(long now, long ttlSeconds) {
    return ttlSeconds == 0 ? NEVER : now + ttlSeconds * 1000;
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
  public CompletionStage<Done> saveDeviceRollups(
      Map<DeviceRollup.Key, DeviceRollup> rollups, RowTtls ttls) {
    PartitionBatches byDevice = new PartitionBatches(insertDeviceRollup);
    rollups.forEach(
        (key, rollup) -> {
          DeviceKey device = key.device();
          long period = Buckets.period(key.hour());
          Stats stats = rollup.stats();
          byDevice.add(
              List.of(device.org(), device.type(), device.id(), period),
              ROLLUP_ROW_BYTES,
              device.org(),
              device.type(),
              device.id(),
              period,
              key.field(),
              key.hour(),
              key.evtType(),
              stats.count(),
              stats.sum(),
              stats.sumOfSquares(),
              stats.min(),
              stats.max(),
              rollup.appliedSeqNr(),
              ttls.rollups(device.org()));
        });
    return byDevice.write();
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
  public CompletionStage<Done> saveTypeRollups(
      Map<TypeRollup.Key, TypeRollup.Update> updates, RowTtls ttls) {
    PartitionBatches byType = new PartitionBatches(updateTypeRollup);
    updates.forEach(
        (key, update) -> {
          long period = Buckets.period(key.hour());
          Stats stats = update.rollup().stats();
          byType.add(
              List.of(key.org(), key.type(), period),
              ROLLUP_ROW_BYTES + 16 * update.changedSeqNrs().size(),
              ttls.rollups(key.org()),
              stats.count(),
              stats.sum(),
              stats.sumOfSquares(),
              stats.min(),
              stats.max(),
              update.changedSeqNrs(),
              key.org(),
              key.type(),
              period,
              key.field(),
              key.hour(),
              key.evtType(),
              key.slice());
        });
    return byType.write();
  }

  static Stats stats(Row row) {
    return new Stats(
        row.getLong("count"),
        row.getBigDecimal("sum"),
        row.getBigDecimal("sum_sq"),
        row.getDouble("min"),
        row.getDouble("max"));
  }

  /**
   * Rows of one statement grouped by partition. Each group goes to Cassandra as unlogged batches: a
   * batch within one partition is applied as one mutation, which costs Cassandra far less than a
   * write per row (docs/performance.md), and stays below the size at which Cassandra warns.
   */
  private final class PartitionBatches {
    private final PreparedCql statement;
    private final Map<List<Object>, List<List<Object[]>>> batches = new LinkedHashMap<>();
    private final Map<List<Object>, Integer> lastBatchBytes = new HashMap<>();

    PartitionBatches(PreparedCql statement) {
      this.statement = statement;
    }

    void add(List<Object> partition, int payloadBytes, Object... values) {
      int bytes = ROW_OVERHEAD_BYTES + payloadBytes;
      List<List<Object[]>> chunks = batches.computeIfAbsent(partition, p -> new ArrayList<>());
      int filled = lastBatchBytes.getOrDefault(partition, MAX_BATCH_BYTES);
      if (chunks.isEmpty() || filled + bytes > MAX_BATCH_BYTES) {
        chunks.add(new ArrayList<>());
        filled = 0;
      }
      chunks.get(chunks.size() - 1).add(values);
      lastBatchBytes.put(partition, filled + bytes);
    }

    void writeTo(List<CompletableFuture<Done>> writes) {
      batches.values().forEach(chunks -> chunks.forEach(rows -> writes.add(writeBatch(rows))));
    }

    CompletableFuture<Done> write() {
      List<CompletableFuture<Done>> writes = new ArrayList<>();
      writeTo(writes);
      return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
          .thenApply(all -> Done.done());
    }

    private CompletableFuture<Done> writeBatch(List<Object[]> rows) {
      return limiter.run(
          1,
          () ->
              statement
                  .bindAll(rows)
                  .thenCompose(
                      bound ->
                          session.executeWrite(
                              bound.size() == 1
                                  ? bound.get(0).setIdempotent(true)
                                  : BatchStatement.newInstance(
                                          BatchType.UNLOGGED,
                                          bound.toArray(BatchableStatement<?>[]::new))
                                      .setIdempotent(true))));
    }
  }

  private CompletableFuture<Done> write(PreparedCql statement, Object... values) {
    return limiter.run(
        1,
        () ->
            statement
                .bind(values)
                .thenCompose(bound -> session.executeWrite(bound.setIdempotent(true))));
  }

  private CompletionStage<Optional<Row>> selectOne(PreparedCql statement, Object... values) {
    return limiter.run(1, () -> statement.bind(values).thenCompose(session::selectOne));
  }

  private PreparedCql prepared(String cql) {
    return new PreparedCql(session, cql);
  }
}
