package io.entwine.connections;

import io.entwine.cassandra.CqlTable;
import io.entwine.cassandra.PreparedCql;
import io.entwine.connections.ConnectionWritePlan.Statement;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The statements on the connection tables ({@code cql/connections.cql}), prepared once per node and
 * shared by the writes ({@link ConnectionRecordWriter}), the reads ({@link ConnectionStates}) and
 * the sweep ({@link ConnectionOwners}). Every write carries its record's time as Cassandra's write
 * time, so a late or retried write never overwrites a newer one.
 */
final class ConnectionTables {
  static final String STATE_COLUMNS =
      "client_id, last_connect, protocol, last_disconnect, disconnect_of, last_reason";

  final CassandraSession session;

  final PreparedCql stateConnected;
  final PreparedCql stateDisconnected;

  /** A client's end, only if its last start is the given one (a lightweight transaction). */
  final PreparedCql stateEndedIfLast;

  final PreparedCql selectState;
  final PreparedCql selectStates;

  final PreparedCql logEntry;
  final PreparedCql selectLog;
  final PreparedCql selectLogBetween;

  final PreparedCql ownerInsert;
  final PreparedCql ownerDelete;
  final PreparedCql ownerSeen;
  final PreparedCql selectOwned;
  final PreparedCql deleteIncarnation;
  final PreparedCql selectIncarnations;

  ConnectionTables(CassandraSession session, String keyspace) {
    this.session = session;
    CqlTable states = CqlTable.of(session, keyspace, "client_connection_states");
    CqlTable log = CqlTable.of(session, keyspace, "connection_log");
    CqlTable owners = CqlTable.of(session, keyspace, "connection_owners");
    stateConnected =
        states.prepare(
            "UPDATE {table} USING TIMESTAMP ? SET last_connect = ?, protocol = ?"
                + " WHERE org = ? AND client_id = ?");
    stateDisconnected =
        states.prepare(
            "UPDATE {table} USING TIMESTAMP ? SET last_disconnect = ?, disconnect_of = ?,"
                + " last_reason = ? WHERE org = ? AND client_id = ?");
    stateEndedIfLast =
        states.prepare(
            "UPDATE {table} SET last_disconnect = ?, disconnect_of = ?, last_reason = ?"
                + " WHERE org = ? AND client_id = ? IF last_connect = ?");
    selectState =
        states.prepare("SELECT " + STATE_COLUMNS + " FROM {table} WHERE org = ? AND client_id = ?");
    selectStates =
        states.prepare(
            "SELECT " + STATE_COLUMNS + " FROM {table} WHERE org = ? AND client_id > ? LIMIT ?");
    logEntry =
        log.prepare(
            "INSERT INTO {table} (org, type, id, at, client_id, message)"
                + " VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
    selectLog =
        log.prepare(
            "SELECT at, message FROM {table} WHERE org = ? AND type = ? AND id = ? LIMIT ?");
    selectLogBetween =
        log.prepare(
            "SELECT at, message FROM {table} WHERE org = ? AND type = ? AND id = ?"
                + " AND at >= ? AND at <= ? LIMIT ?");
    ownerInsert =
        owners.prepare(
            "INSERT INTO {table} (node, org, client_id, connect_time, type, id, address)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
    ownerDelete =
        owners.prepare(
            "DELETE FROM {table} USING TIMESTAMP ? WHERE node = ? AND org = ? AND client_id = ?");
    ownerSeen = owners.prepare("UPDATE {table} SET seen_at = ? WHERE node = ?");
    selectOwned =
        owners.prepare(
            "SELECT org, client_id, connect_time, type, id, address FROM {table} WHERE node = ?");
    deleteIncarnation = owners.prepare("DELETE FROM {table} WHERE node = ?");
    selectIncarnations = owners.prepare("SELECT DISTINCT node, seen_at FROM {table}");
  }

  /** The statement a plan's write binds. */
  PreparedCql of(Statement statement) {
    return switch (statement) {
      case STATE_CONNECTED -> stateConnected;
      case STATE_DISCONNECTED -> stateDisconnected;
      case LOG_ENTRY -> logEntry;
      case OWNER_INSERT -> ownerInsert;
      case OWNER_DELETE -> ownerDelete;
    };
  }
}
