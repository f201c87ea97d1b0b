package io.entwine.connections;

import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.connections.ConnectionWritePlan.Write;
import io.entwine.identity.DeviceKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Which node incarnation holds which MQTT connection ({@code connection_owners}, docs/adr/0070), so
 * that the connections of a node that died are recorded as ended instead of staying connected. Each
 * incarnation (cluster address and uid) has a partition: a row per connection it holds, written at
 * connect and deleted at disconnect with the connection's start as write time (so the end of a
 * replaced connection never deletes the row of the one that took its client id over; {@link
 * ConnectionRecordWriter} writes them, and neither for a connection that ended within one run of
 * records), and {@code seen_at}, its lease, renewed by {@link ConnectionSweeper} while it runs.
 */
public final class ConnectionOwners {
  /** An incarnation with connections or a lease, and when it was last seen alive. */
  public record Incarnation(String node, Instant seenAt) {}

  static final String NODE_STOPPED =
      "The node that held the connection stopped or left the cluster.";

  private final ConnectionTables tables;
  private final RetriedWrites writes;
  private final String self;

  ConnectionOwners(ConnectionTables tables, RetriedWrites writes, String self) {
    this.tables = tables;
    this.writes = writes;
    this.self = self;
  }

  /** This node's incarnation. */
  public String self() {
    return self;
  }

  /** Renews this incarnation's lease. */
  public CompletionStage<Done> renewLease(Instant now) {
    return writes.write(tables.ownerSeen, now, self);
  }

  public CompletionStage<List<Incarnation>> incarnations() {
    return tables
        .selectIncarnations
        .selectAll()
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
    return tables
        .selectOwned
        .selectAll(dead.node())
        .thenCompose(
            rows -> {
              CompletableFuture<?>[] ended =
                  rows.stream()
                      .map(row -> end(row, dead.seenAt() == null ? now : dead.seenAt(), now))
                      .map(CompletionStage::toCompletableFuture)
                      .toArray(CompletableFuture<?>[]::new);
              return CompletableFuture.allOf(ended)
                  .thenCompose(all -> writes.write(tables.deleteIncarnation, dead.node()))
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
        writes.write(
            tables.stateEndedIfLast, at, connectTime, NODE_STOPPED, org, clientId, connectTime);
    String type = owned.getString("type");
    if (type == null) {
      return state;
    }
    Write entry =
        ConnectionWritePlan.logEntry(
            new DeviceKey(org, type, owned.getString("id")),
            at,
            clientId,
            "Closed connection from " + owned.getString("address") + ". " + NODE_STOPPED);
    return state.thenCompose(done -> writes.write(tables.logEntry, entry.values().toArray()));
  }
}
