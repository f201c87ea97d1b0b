package io.entwine.connections;

import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.cassandra.PreparedCql;
import io.entwine.identity.DeviceKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Which node incarnation holds which MQTT connection ({@code connection_owners}, docs/adr/0070), so
 * that the connections of a node that died are recorded as ended instead of staying connected. Each
 * incarnation (cluster address and uid) has a partition: a row per connection it holds, written at
 * connect and deleted at disconnect with the connection's start as write time (so the end of a
 * replaced connection never deletes the row of the one that took its client id over), and {@code
 * seen_at}, its lease, renewed by {@link ConnectionSweeper} while it runs.
 */
public final class ConnectionOwners {
  /** An incarnation with connections or a lease, and when it was last seen alive. */
  public record Incarnation(String node, Instant seenAt) {}

  static final String NODE_STOPPED =
      "The node that held the connection stopped or left the cluster.";

  private final CassandraSession session;
  private final RetriedWrites writes;
  private final String self;
  private final PreparedCql insertOwned;
  private final PreparedCql deleteOwned;
  private final PreparedCql updateSeen;
  private final PreparedCql selectOwned;
  private final PreparedCql deleteIncarnation;
  private final PreparedCql endIfLast;
  private final PreparedCql insertLog;
  private final String selectIncarnations;

  ConnectionOwners(CassandraSession session, String keyspace, RetriedWrites writes, String self) {
    this.session = session;
    this.writes = writes;
    this.self = self;
    String owners = keyspace + ".connection_owners";
    insertOwned =
        prepared(
            "INSERT INTO "
                + owners
                + " (node, org, client_id, connect_time, type, id, address) VALUES (?, ?, ?, ?, ?,"
                + " ?, ?) USING TIMESTAMP ?");
    deleteOwned =
        prepared(
            "DELETE FROM "
                + owners
                + " USING TIMESTAMP ? WHERE node = ? AND org = ? AND client_id = ?");
    updateSeen = prepared("UPDATE " + owners + " SET seen_at = ? WHERE node = ?");
    selectOwned =
        prepared(
            "SELECT org, client_id, connect_time, type, id, address FROM "
                + owners
                + " WHERE node = ?");
    deleteIncarnation = prepared("DELETE FROM " + owners + " WHERE node = ?");
    selectIncarnations = "SELECT DISTINCT node, seen_at FROM " + owners;
    endIfLast =
        prepared(
            "UPDATE "
                + keyspace
                + ".client_connection_states SET last_disconnect = ?, disconnect_of = ?,"
                + " last_reason = ? WHERE org = ? AND client_id = ? IF last_connect = ?");
    insertLog =
        prepared(
            "INSERT INTO "
                + keyspace
                + ".connection_log (org, type, id, at, client_id, message) VALUES (?, ?, ?, ?, ?,"
                + " ?)");
  }

  /** This node's incarnation. */
  public String self() {
    return self;
  }

  void connected(
      String org, String clientId, DeviceKey device, Instant connectTime, String address) {
    writes.write(
        insertOwned,
        self,
        org,
        clientId,
        connectTime,
        device == null ? null : device.type(),
        device == null ? null : device.id(),
        address,
        micros(connectTime));
  }

  void disconnected(String org, String clientId, Instant connectTime) {
    writes.write(deleteOwned, micros(connectTime), self, org, clientId);
  }

  /** Renews this incarnation's lease. */
  public CompletionStage<Done> renewLease(Instant now) {
    return writes.write(updateSeen, now, self);
  }

  public CompletionStage<List<Incarnation>> incarnations() {
    return session
        .selectAll(selectIncarnations)
        .thenApply(
            rows ->
                rows.stream()
                    .map(row -> new Incarnation(row.getString(0), row.getInstant(1)))
                    .toList());
  }

  /**
   * Records every connection {@code dead} held as ended, when it was last seen, unless its client
   * connected again since; then forgets the incarnation. The number of connections it held.
   */
  public CompletionStage<Integer> sweep(Incarnation dead, Instant now) {
    return selectOwned
        .bind(dead.node())
        .thenCompose(session::selectAll)
        .thenCompose(
            rows -> {
              CompletableFuture<?>[] ended =
                  rows.stream()
                      .map(row -> end(row, dead.seenAt() == null ? now : dead.seenAt(), now))
                      .map(CompletionStage::toCompletableFuture)
                      .toArray(CompletableFuture<?>[]::new);
              return CompletableFuture.allOf(ended)
                  .thenCompose(all -> writes.write(deleteIncarnation, dead.node()))
                  .thenApply(done -> rows.size());
            });
  }

  private CompletionStage<Done> end(Row owned, Instant lastSeen, Instant now) {
    Instant connectTime = owned.getInstant("connect_time");
    // the connect's own log entry is at about its start: a later time keeps both entries
    Instant at = lastSeen.isAfter(connectTime.plusSeconds(1)) ? lastSeen : now;
    String org = owned.getString("org");
    String clientId = owned.getString("client_id");
    CompletionStage<Done> state =
        writes.write(endIfLast, at, connectTime, NODE_STOPPED, org, clientId, connectTime);
    String type = owned.getString("type");
    if (type == null) {
      return state;
    }
    return state.thenCompose(
        done ->
            writes.write(
                insertLog,
                org,
                type,
                owned.getString("id"),
                at,
                clientId,
                "Closed connection from " + owned.getString("address") + ". " + NODE_STOPPED));
  }

  /** Cassandra's write time of a connection's records: its start, in microseconds. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private PreparedCql prepared(String cql) {
    return new PreparedCql(session, cql);
  }
}
