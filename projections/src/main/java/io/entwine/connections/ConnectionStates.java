package io.entwine.connections;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.cassandra.PreparedCql;
import io.entwine.identity.DeviceKey;
import io.entwine.live.ConnectionRecorder;
import io.entwine.live.LiveMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of MQTT clients connecting and disconnecting ({@code cql/connections.cql}):
 * written from the status documents the MQTT edge publishes, read by IBM's v0002 connection logs
 * and client connection states. Records are queued, not waited for, and written in runs ({@link
 * ConnectionRecordWriter}, docs/adr/0073); a failed write is tried again ({@link RetriedWrites}).
 * Each write carries its event's time as Cassandra's write time, so a late retry never overwrites a
 * newer record. The connections this node holds are also kept in {@link ConnectionOwners}, so that
 * they are recorded as ended if the node dies (docs/adr/0070).
 */
public final class ConnectionStates implements ConnectionRecorder {
  private static final Logger log = LoggerFactory.getLogger(ConnectionStates.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConnectionTables tables;
  private final ConnectionRecordWriter writer;
  private final ConnectionOwners owners;

  /**
   * {@code incarnation} names this node's incarnation ({@link ConnectionSweeper#incarnation}), the
   * owner of the connections it records; records are written every {@code interval} ({@link
   * ConnectionRecordWriter}).
   */
  public ConnectionStates(
      CassandraSession session,
      String keyspace,
      ActorSystem<?> system,
      String incarnation,
      Duration interval) {
    this.tables = new ConnectionTables(session, keyspace);
    RetriedWrites writes = new RetriedWrites(session, system);
    this.owners = new ConnectionOwners(tables, writes, incarnation);
    this.writer = new ConnectionRecordWriter(tables, writes, incarnation);
    writer.start(system, interval);
  }

  // ---- writes ----

  @Override
  public void record(LiveMessage status) {
    JsonNode document;
    String org;
    DeviceKey device = null;
    try {
      if (status instanceof LiveMessage.DeviceStatus d) {
        org = d.org();
        device = new DeviceKey(d.org(), d.type(), d.id());
        document = JSON.readTree(d.payload());
      } else if (status instanceof LiveMessage.ApplicationStatus a) {
        org = a.org();
        document = JSON.readTree(a.payload());
      } else {
        return;
      }
      record(org, device, document);
    } catch (IOException | DateTimeParseException | NullPointerException e) {
      log.warn(
          "A connection status the MQTT endpoint published was not recorded: {}", e.toString());
    }
  }

  private void record(String org, DeviceKey device, JsonNode status) {
    String clientId = status.get("ClientID").asText();
    Instant at = Instant.parse(status.get("Time").asText());
    Instant connectTime = Instant.parse(status.get("ConnectTime").asText());
    String address = status.path("ClientAddr").asText();
    if ("Connect".equals(status.path("Action").asText())) {
      String protocol = status.path("Protocol").asText();
      String message =
          "Connected from "
              + address
              + " on port "
              + status.path("Port").asInt()
              + " with "
              + protocol;
      writer.add(
          new ConnectionRecord.Connected(
              org, clientId, device, connectTime, at, protocol, address, message));
    } else {
      String reason = status.path("Reason").asText();
      writer.add(
          new ConnectionRecord.Disconnected(
              org,
              clientId,
              device,
              connectTime,
              at,
              reason,
              "Closed connection from " + address + ". " + reason));
    }
  }

  /** Writes what is queued now, not at the next run (for tests). */
  CompletionStage<Done> writeQueued() {
    return writer.writeAllQueued();
  }

  /** The connections this node holds, and those of incarnations that died. */
  public ConnectionOwners owners() {
    return owners;
  }

  // ---- reads ----

  /**
   * A device's log, newest first: at most {@code limit} entries after skipping {@code offset},
   * between {@code from} and {@code to} (both included) when given.
   */
  public CompletionStage<List<ConnectionLogEntry>> log(
      DeviceKey device, int limit, int offset, Optional<Instant> from, Optional<Instant> to) {
    int rows = limit + offset;
    CompletionStage<List<Row>> query =
        from.isPresent() && to.isPresent()
            ? select(
                tables.selectLogBetween,
                device.org(),
                device.type(),
                device.id(),
                from.get(),
                to.get(),
                rows)
            : select(tables.selectLog, device.org(), device.type(), device.id(), rows);
    return query.thenApply(
        found ->
            found.stream()
                .skip(offset)
                .map(row -> new ConnectionLogEntry(row.getInstant("at"), row.getString("message")))
                .toList());
  }

  public CompletionStage<Optional<ClientConnectionState>> state(String org, String clientId) {
    return select(tables.selectState, org, clientId)
        .thenApply(found -> found.stream().findFirst().map(ConnectionStates::state));
  }

  /**
   * Up to {@code limit} client ids of {@code org} after {@code after} ("" from the start), in
   * order.
   */
  public CompletionStage<List<ClientConnectionState>> states(String org, String after, int limit) {
    return select(tables.selectStates, org, after, limit)
        .thenApply(found -> found.stream().map(ConnectionStates::state).toList());
  }

  private static CompletionStage<List<Row>> select(PreparedCql statement, Object... values) {
    return statement.selectAll(values);
  }

  private static ClientConnectionState state(Row row) {
    return new ClientConnectionState(
        row.getString("client_id"),
        row.getInstant("last_connect"),
        row.getString("protocol"),
        row.getInstant("last_disconnect"),
        row.getInstant("disconnect_of"),
        row.getString("last_reason"));
  }
}
