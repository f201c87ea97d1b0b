package io.entwine.registry.view;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.cassandra.PreparedCql;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.DeviceProfile;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The registry in the table {@code registry_devices} (schema: {@code cql/registry.cql}). One
 * partition per organization, rows clustered by type and id, so every list call of the management
 * API reads exactly one partition.
 */
public final class CassandraRegistryRepository implements RegistryRepository {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String COLUMNS =
      "org, type, id, metadata, enabled, registered_by, registered_by_type, registered_at,"
          + " device_info, location";

  private static final CompletionStage<Done> DONE =
      java.util.concurrent.CompletableFuture.completedFuture(Done.done());

  private final CassandraSession session;
  private final PreparedCql insert;
  private final PreparedCql updateMetadata;
  private final PreparedCql updateEnabled;
  private final PreparedCql updateDeviceInfo;
  private final PreparedCql updateLocation;
  private final PreparedCql delete;
  private final PreparedCql selectByOrg;
  private final PreparedCql selectByType;
  private final PreparedCql countByType;
  private final PreparedCql selectByOrgAfter;
  private final PreparedCql selectByTypeAfter;
  private final PreparedCql selectByIdRange;
  private final PreparedCql countByIdRange;

  public CassandraRegistryRepository(CassandraSession session, String keyspace) {
    this.session = session;
    String table = keyspace + ".registry_devices";
    insert =
        prepared(
            "INSERT INTO "
                + table
                + " ("
                + COLUMNS
                + ", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    updateMetadata =
        prepared(
            "UPDATE "
                + table
                + " SET metadata = ?, updated_at = ? WHERE org = ? AND type = ? AND id = ?");
    updateEnabled =
        prepared(
            "UPDATE "
                + table
                + " SET enabled = ?, updated_at = ? WHERE org = ? AND type = ? AND id = ?");
    updateDeviceInfo =
        prepared(
            "UPDATE "
                + table
                + " SET device_info = ?, updated_at = ? WHERE org = ? AND type = ? AND id = ?");
    updateLocation =
        prepared(
            "UPDATE "
                + table
                + " SET location = ?, updated_at = ? WHERE org = ? AND type = ? AND id = ?");
    delete = prepared("DELETE FROM " + table + " WHERE org = ? AND type = ? AND id = ?");
    selectByOrg = prepared("SELECT " + COLUMNS + " FROM " + table + " WHERE org = ?");
    selectByType = prepared("SELECT " + COLUMNS + " FROM " + table + " WHERE org = ? AND type = ?");
    countByType = prepared("SELECT type, count(*) FROM " + table + " WHERE org = ? GROUP BY type");
    selectByOrgAfter =
        prepared(
            "SELECT "
                + COLUMNS
                + " FROM "
                + table
                + " WHERE org = ? AND (type, id) > (?, ?) LIMIT ?");
    selectByTypeAfter =
        prepared(
            "SELECT "
                + COLUMNS
                + " FROM "
                + table
                + " WHERE org = ? AND type = ? AND id > ? LIMIT ?");
    selectByIdRange =
        prepared(
            "SELECT "
                + COLUMNS
                + " FROM "
                + table
                + " WHERE org = ? AND type = ? AND id >= ? AND id < ? LIMIT ?");
    countByIdRange =
        prepared(
            "SELECT count(*) FROM " + table + " WHERE org = ? AND type = ? AND id >= ? AND id < ?");
  }

  @Override
  public CompletionStage<Done> register(RegisteredDevice device) {
    return write(
        insert,
        device.org(),
        device.type(),
        device.id(),
        toText(device.metadata()),
        device.enabled(),
        device.registeredBy(),
        device.registeredByType(),
        device.registeredAt(),
        toText(device.profile() == null ? null : device.profile().deviceInfo()),
        toText(device.profile() == null ? null : device.profile().location()),
        device.registeredAt());
  }

  // An UPDATE of a missing row would create a partial one; it cannot happen because the twin only
  // emits updates for registered devices and the projection applies each device's events in order.
  @Override
  public CompletionStage<Done> updateMetadata(DeviceKey device, JsonNode metadata, Instant at) {
    return write(updateMetadata, toText(metadata), at, device.org(), device.type(), device.id());
  }

  @Override
  public CompletionStage<Done> updateEnabled(DeviceKey device, boolean enabled, Instant at) {
    return write(updateEnabled, enabled, at, device.org(), device.type(), device.id());
  }

  /** Each part on its own, so that a change of one part never writes over the other. */
  @Override
  public CompletionStage<Done> updateProfile(DeviceKey device, DeviceProfile change, Instant at) {
    CompletionStage<Done> info =
        change.deviceInfo() == null
            ? DONE
            : write(
                updateDeviceInfo,
                toText(change.deviceInfo()),
                at,
                device.org(),
                device.type(),
                device.id());
    return info.thenCompose(
        written ->
            change.location() == null
                ? DONE
                : write(
                    updateLocation,
                    toText(change.location()),
                    at,
                    device.org(),
                    device.type(),
                    device.id()));
  }

  @Override
  public CompletionStage<Done> delete(DeviceKey device) {
    return write(delete, device.org(), device.type(), device.id());
  }

  @Override
  public CompletionStage<List<RegisteredDevice>> devices(String org) {
    return select(selectByOrg, CassandraRegistryRepository::toDevice, org);
  }

  @Override
  public CompletionStage<List<RegisteredDevice>> devices(String org, String type) {
    return select(selectByType, CassandraRegistryRepository::toDevice, org, type);
  }

  @Override
  public CompletionStage<List<DeviceTypeCount>> deviceTypes(String org) {
    return select(countByType, row -> new DeviceTypeCount(row.getString(0), row.getLong(1)), org);
  }

  @Override
  public CompletionStage<List<RegisteredDevice>> devicesAfter(
      String org, String type, String afterType, String afterId, int limit) {
    if (type == null) {
      return select(
          selectByOrgAfter,
          CassandraRegistryRepository::toDevice,
          org,
          afterType == null ? "" : afterType,
          afterType == null ? "" : afterId,
          limit);
    }
    // a bookmark of another type: after it come this type's devices all, or none
    String after =
        afterType == null || afterType.compareTo(type) < 0
            ? ""
            : afterType.equals(type) ? afterId : null;
    if (after == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(List.of());
    }
    return select(
        selectByTypeAfter, CassandraRegistryRepository::toDevice, org, type, after, limit);
  }

  @Override
  public CompletionStage<List<RegisteredDevice>> devicesInIdRange(
      String org, String type, String fromId, String toId, int limit) {
    return select(
        selectByIdRange, CassandraRegistryRepository::toDevice, org, type, fromId, toId, limit);
  }

  @Override
  public CompletionStage<Long> countInIdRange(String org, String type, String fromId, String toId) {
    return select(countByIdRange, row -> row.getLong(0), org, type, fromId, toId)
        .thenApply(counts -> counts.isEmpty() ? 0L : counts.get(0));
  }

  private CompletionStage<Done> write(PreparedCql statement, Object... values) {
    // Every write sets values, so the driver may safely retry it (it only retries idempotent ones).
    return statement
        .bind(values)
        .thenCompose(bound -> session.executeWrite(bound.setIdempotent(true)));
  }

  private <T> CompletionStage<List<T>> select(
      PreparedCql statement, Function<Row, T> toResult, Object... values) {
    return statement
        .bind(values)
        .thenCompose(session::selectAll)
        .thenApply(rows -> rows.stream().map(toResult).toList());
  }

  private static RegisteredDevice toDevice(Row row) {
    return new RegisteredDevice(
        row.getString("org"),
        row.getString("type"),
        row.getString("id"),
        fromText(row.getString("metadata")),
        row.getBoolean("enabled"),
        row.getString("registered_by"),
        row.getString("registered_by_type"),
        row.getInstant("registered_at"),
        new DeviceProfile(
            fromText(row.getString("device_info")), fromText(row.getString("location"))));
  }

  private static String toText(JsonNode json) {
    return json == null ? null : json.toString();
  }

  private static JsonNode fromText(String json) {
    if (json == null) {
      return null;
    }
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Unreadable JSON in registry_devices", e);
    }
  }

  private PreparedCql prepared(String cql) {
    return new PreparedCql(session, cql);
  }
}
