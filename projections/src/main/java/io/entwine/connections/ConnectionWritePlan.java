package io.entwine.connections;

import io.entwine.connections.ConnectionRecord.Connected;
import io.entwine.connections.ConnectionRecord.Connection;
import io.entwine.connections.ConnectionRecord.Disconnected;
import io.entwine.identity.DeviceKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writes that record a run of connection records (docs/adr/0073), in groups that each touch one
 * partition of one table, so that each group is written as one single-partition batch: one mutation
 * for Cassandra however many records it holds.
 *
 * <ul>
 *   <li>{@code client_connection_states}, a partition per organization: per client id, only its
 *       latest start and its latest end of the run. Each is written with its time as write time, so
 *       an earlier one of the run would lose to it anyway.
 *   <li>{@code connection_log}, a partition per device: every entry.
 *   <li>{@code connection_owners}, this node's partition: a row for each connection that started
 *       and did not end within the run, a delete for each that ended and had started in an earlier
 *       one. A connection that started and ended within the run needs neither: the row exists only
 *       so that a sweep can record the connection as ended should the node die (docs/adr/0070), and
 *       its end is recorded in the same run.
 * </ul>
 */
final class ConnectionWritePlan {
  /** The statements of {@link ConnectionTables} a plan uses; each write binds its values. */
  enum Statement {
    STATE_CONNECTED,
    STATE_DISCONNECTED,
    LOG_ENTRY,
    OWNER_INSERT,
    OWNER_DELETE
  }

  /** One statement's values, in the order its CQL binds them (null allowed). */
  record Write(Statement statement, List<Object> values) {
    static Write of(Statement statement, Object... values) {
      return new Write(statement, Arrays.asList(values));
    }
  }

  private ConnectionWritePlan() {}

  /**
   * The writes of {@code records} (in the order the edge reported them) for node incarnation {@code
   * self}, in groups of at most {@code maxWrites}, each group within one partition.
   */
  static List<List<Write>> plan(List<ConnectionRecord> records, String self, int maxWrites) {
    Set<Connection> started = new HashSet<>();
    Set<Connection> ended = new HashSet<>();
    for (ConnectionRecord record : records) {
      (record instanceof Connected ? started : ended).add(record.connection());
    }
    Map<String, Connected> latestStart = new LinkedHashMap<>();
    Map<String, Disconnected> latestEnd = new LinkedHashMap<>();
    Map<DeviceKey, List<Write>> logs = new LinkedHashMap<>();
    List<Write> owners = new ArrayList<>();
    for (ConnectionRecord record : records) {
      String client = record.org() + '\n' + record.clientId();
      if (record instanceof Connected c) {
        latestStart.merge(client, c, (a, b) -> b.connectTime().isAfter(a.connectTime()) ? b : a);
        if (!ended.contains(c.connection())) {
          owners.add(ownerInsert(c, self));
        }
      } else if (record instanceof Disconnected d) {
        latestEnd.merge(client, d, (a, b) -> b.at().isAfter(a.at()) ? b : a);
        if (!started.contains(d.connection())) {
          owners.add(
              Write.of(
                  Statement.OWNER_DELETE, micros(d.connectTime()), self, d.org(), d.clientId()));
        }
      }
      if (record.device() != null) {
        logs.computeIfAbsent(record.device(), device -> new ArrayList<>()).add(logEntry(record));
      }
    }
    Map<String, List<Write>> states = new LinkedHashMap<>();
    latestStart.values().forEach(c -> stateWrites(states, c.org()).add(stateConnected(c)));
    latestEnd.values().forEach(d -> stateWrites(states, d.org()).add(stateDisconnected(d)));

    List<List<Write>> groups = new ArrayList<>();
    states.values().forEach(writes -> chunk(writes, maxWrites, groups));
    logs.values().forEach(writes -> chunk(writes, maxWrites, groups));
    chunk(owners, maxWrites, groups);
    return groups;
  }

  /** Cassandra's write time of a record: its time, in microseconds. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  static Write logEntry(DeviceKey device, Instant at, String clientId, String message) {
    return Write.of(
        Statement.LOG_ENTRY,
        device.org(),
        device.type(),
        device.id(),
        at,
        clientId,
        message,
        micros(at));
  }

  private static Write logEntry(ConnectionRecord record) {
    return logEntry(record.device(), record.at(), record.clientId(), record.message());
  }

  private static Write stateConnected(Connected c) {
    return Write.of(
        Statement.STATE_CONNECTED,
        micros(c.connectTime()),
        c.connectTime(),
        c.protocol(),
        c.org(),
        c.clientId());
  }

  private static Write stateDisconnected(Disconnected d) {
    return Write.of(
        Statement.STATE_DISCONNECTED,
        micros(d.at()),
        d.at(),
        d.connectTime(),
        d.reason(),
        d.org(),
        d.clientId());
  }

  private static Write ownerInsert(Connected c, String self) {
    DeviceKey device = c.device();
    return Write.of(
        Statement.OWNER_INSERT,
        self,
        c.org(),
        c.clientId(),
        c.connectTime(),
        device == null ? null : device.type(),
        device == null ? null : device.id(),
        c.address(),
        micros(c.connectTime()));
  }

  private static List<Write> stateWrites(Map<String, List<Write>> states, String org) {
    return states.computeIfAbsent(org, o -> new ArrayList<>());
  }

  private static void chunk(List<Write> writes, int maxWrites, List<List<Write>> into) {
    for (int from = 0; from < writes.size(); from += maxWrites) {
      into.add(List.copyOf(writes.subList(from, Math.min(writes.size(), from + maxWrites))));
    }
  }
}
