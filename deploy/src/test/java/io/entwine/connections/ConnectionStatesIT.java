package io.entwine.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.deploy.testing.SchemaKeyspace;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection records written in runs (docs/adr/0073) against a real Cassandra: what IBM's
 * connection logs and client connection states read back, which rows of {@code connection_owners} a
 * run leaves, and how many mutations Cassandra applied for it (its own table metrics).
 */
class ConnectionStatesIT {
  private static final String NODE = "pekko://entwine@127.0.0.1:25520#7";
  private static final Instant T0 = Instant.parse("2026-12-07T19:00:00Z");

  @RegisterExtension static final SchemaKeyspace cassandra = new SchemaKeyspace("states-it");

  private static CqlSession reader;
  private static ConnectionStates states;

  @BeforeAll
  static void start() {
    reader = SharedCassandra.openSession();
    // runs only when the test asks (writeQueued), so that each test knows what one run holds
    states = connectionStates(Duration.ofHours(1));
  }

  @AfterAll
  static void closeReader() {
    reader.close();
  }

  private static ConnectionStates connectionStates(Duration interval) {
    return new ConnectionStates(
        cassandra.session(), cassandra.keyspace(), cassandra.system(), NODE, interval);
  }

  @Test
  void shortConnectionsOfARunAreOneMutationPerPartitionAndLeaveNoOwnersRow() {
    DeviceKey device = new DeviceKey("short", "meter", "m1");
    Map<String, Long> before = writes();
    for (int i = 0; i < 20; i++) {
      Instant start = T0.plusSeconds(i);
      states.record(status(device, "Connect", start, start, null));
      states.record(status(device, "Disconnect", start, start.plusMillis(40), "gone " + i));
    }
    await(states.writeQueued());

    Map<String, Long> written = since(before);
    assertEquals(1L, written.get("client_connection_states"), written.toString());
    assertEquals(1L, written.get("connection_log"), written.toString());
    assertFalse(written.containsKey("connection_owners"), written.toString());

    ClientConnectionState state = state(device).orElseThrow();
    assertFalse(state.connected(), state.toString());
    assertEquals(T0.plusSeconds(19), state.lastConnect());
    assertEquals(T0.plusSeconds(19).plusMillis(40), state.lastDisconnect());
    assertEquals("gone 19", state.lastReason());
    List<ConnectionLogEntry> log =
        await(states.log(device, 20, 0, Optional.empty(), Optional.empty()));
    assertEquals(20, log.size());
    assertEquals("Closed connection from 10.0.0.9:4711. gone 19", log.get(0).message());
    assertEquals("Connected from 10.0.0.9:4711 on port 1883 with mqtt4-tcp", log.get(1).message());
    assertEquals(List.of(), owned(device));
  }

  @Test
  void aConnectionThatOutlivesItsRunIsOwnedUntilItsEndIsWritten() {
    DeviceKey device = new DeviceKey("long", "meter", "m1");
    states.record(status(device, "Connect", T0, T0, null));
    await(states.writeQueued());
    assertTrue(state(device).orElseThrow().connected());
    assertEquals(List.of(T0), owned(device));

    states.record(status(device, "Disconnect", T0, T0.plusSeconds(600), "done"));
    await(states.writeQueued());
    assertFalse(state(device).orElseThrow().connected());
    assertEquals(List.of(), owned(device));
  }

  @Test
  void aConnectionThatTookTheClientIdOverStaysConnectedWhenTheOneItReplacedEndsLater() {
    DeviceKey device = new DeviceKey("takeover", "meter", "m1");
    Instant second = T0.plusSeconds(5);
    states.record(status(device, "Connect", T0, T0, null));
    await(states.writeQueued());
    // in one run: the new connection's start, then the end of the one it replaced
    states.record(status(device, "Connect", second, second, null));
    states.record(status(device, "Disconnect", T0, second.plusMillis(3), "taken over"));
    await(states.writeQueued());

    ClientConnectionState state = state(device).orElseThrow();
    assertTrue(state.connected(), state.toString());
    assertEquals(second, state.lastConnect());
    assertEquals(List.of(second), owned(device));
  }

  @Test
  void recordsAreWrittenWithoutBeingAskedEveryInterval() {
    ConnectionStates everySecondTenth = connectionStates(Duration.ofMillis(100));
    DeviceKey device = new DeviceKey("timed", "meter", "m1");
    everySecondTenth.record(status(device, "Connect", T0, T0, null));

    TestNode.awaitValue(
        Duration.ofSeconds(30),
        () -> await(everySecondTenth.state(device.org(), clientId(device))),
        found -> found.isPresent() && found.get().connected());
  }

  private static LiveMessage status(
      DeviceKey device, String action, Instant connectTime, Instant at, String reason) {
    String json =
        "{\"Action\":\"%s\",\"Time\":\"%s\",\"ClientAddr\":\"10.0.0.9:4711\",\"ClientID\":\"%s\",\"Port\":1883,\"Protocol\":\"mqtt4-tcp\",\"ConnectTime\":\"%s\"%s}"
            .formatted(
                action,
                at,
                clientId(device),
                connectTime,
                reason == null ? "" : ",\"Reason\":\"" + reason + "\"");
    return new LiveMessage.DeviceStatus(
        device.org(), device.type(), device.id(), json.getBytes(StandardCharsets.UTF_8));
  }

  private static String clientId(DeviceKey device) {
    return "d:" + device.org() + ":" + device.type() + ":" + device.id();
  }

  private static Optional<ClientConnectionState> state(DeviceKey device) {
    return await(states.state(device.org(), clientId(device)));
  }

  /** The starts of the device's connections this node's partition of connection_owners holds. */
  private static List<Instant> owned(DeviceKey device) {
    return reader
        .execute(
            "SELECT connect_time FROM "
                + cassandra.keyspace()
                + ".connection_owners WHERE node = ? AND org = ? AND client_id = ?",
            NODE,
            device.org(),
            clientId(device))
        .all()
        .stream()
        .map(row -> row.getInstant(0))
        .toList();
  }

  /** Mutations Cassandra applied per table of this keyspace since it started. */
  private static Map<String, Long> writes() {
    Map<String, Long> counts = new HashMap<>();
    for (Row row :
        reader.execute(
            "SELECT table_name, count FROM system_views.local_write_latency WHERE keyspace_name"
                + " = ?",
            cassandra.keyspace())) {
      counts.put(row.getString("table_name"), row.getLong("count"));
    }
    return counts;
  }

  private static Map<String, Long> since(Map<String, Long> before) {
    Map<String, Long> difference = new HashMap<>();
    writes()
        .forEach(
            (table, count) -> {
              long added = count - before.getOrDefault(table, 0L);
              if (added > 0) {
                difference.put(table, added);
              }
            });
    return difference;
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }
}
