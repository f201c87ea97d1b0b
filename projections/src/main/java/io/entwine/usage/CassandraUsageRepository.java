package io.entwine.usage;

import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.cassandra.CqlTable;
import io.entwine.cassandra.PreparedCql;
import io.entwine.concurrent.AsyncPermits;
import io.entwine.identity.DeviceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * {@link UsageRepository} over {@code cql/usage.cql}; every write sets values, so may be retried.
 */
public final class CassandraUsageRepository implements UsageRepository {

  /** Statements in flight at once, for all slices on this node together. */
  private static final int MAX_IN_FLIGHT = 32;

  private final AsyncPermits limiter =
      new AsyncPermits("usage statements in flight", MAX_IN_FLIGHT);

  private final PreparedCql selectOne;
  private final PreparedCql selectDay;
  private final PreparedCql insert;

  public CassandraUsageRepository(CassandraSession session, String keyspace) {
    CqlTable table = CqlTable.of(session, keyspace, "usage_device_days");
    selectOne =
        table.prepare(
            "SELECT events, bytes, applied_reading FROM {table}"
                + " WHERE org = ? AND day = ? AND type = ? AND id = ?");
    selectDay =
        table.prepare(
            "SELECT type, id, events, bytes, applied_reading FROM {table} WHERE org = ? AND day = ?");
    insert =
        table.prepare(
            "INSERT INTO {table} (org, day, type, id, events, bytes, applied_reading)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)");
  }

  @Override
  public CompletionStage<Optional<DeviceDay>> deviceDay(DeviceDay.Key key) {
    DeviceKey device = key.device();
    return limiter
        .run(1, () -> selectOne.selectOne(device.org(), key.day(), device.type(), device.id()))
        .thenApply(row -> row.map(CassandraUsageRepository::sent));
  }

  @Override
  public CompletionStage<Done> save(Map<DeviceDay.Key, DeviceDay> days) {
    List<CompletableFuture<Done>> writes = new ArrayList<>(days.size());
    days.forEach(
        (key, day) -> {
          DeviceKey device = key.device();
          writes.add(
              limiter.run(
                  1,
                  () ->
                      insert.write(
                          device.org(),
                          key.day(),
                          device.type(),
                          device.id(),
                          day.events(),
                          day.bytes(),
                          day.appliedReading())));
        });
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(all -> Done.done());
  }

  @Override
  public CompletionStage<List<DeviceOnDay>> devicesOn(String org, long day) {
    return selectDay
        .selectAll(org, day)
        .thenApply(
            rows ->
                rows.stream()
                    .map(
                        row ->
                            new DeviceOnDay(
                                new DeviceKey(org, row.getString("type"), row.getString("id")),
                                sent(row)))
                    .toList());
  }

  private static DeviceDay sent(Row row) {
    return new DeviceDay(
        row.getLong("events"), row.getLong("bytes"), row.getLong("applied_reading"));
  }
}
