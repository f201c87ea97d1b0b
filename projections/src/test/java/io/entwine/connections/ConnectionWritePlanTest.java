package io.entwine.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.connections.ConnectionRecord.Connected;
import io.entwine.connections.ConnectionRecord.Disconnected;
import io.entwine.connections.ConnectionWritePlan.Statement;
import io.entwine.connections.ConnectionWritePlan.Write;
import io.entwine.identity.DeviceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which writes a run of connection records needs, and how they are grouped by partition. */
class ConnectionWritePlanTest {
  private static final String SELF = "pekko://entwine@10.0.0.1:25520#11";
  private static final Instant T0 = Instant.parse("2026-12-07T19:00:00Z");
  private static final DeviceKey METER = new DeviceKey("acme", "meter", "m1");
  private static final String CLIENT = "d:acme:meter:m1";

  @Test
  void aConnectionThatStartsAndEndsWithinARunWritesNoOwnersRowAndOneBatchPerPartition() {
    List<List<Write>> plan =
        ConnectionWritePlan.plan(
            List.of(connected(T0, T0), disconnected(T0, T0.plusMillis(30))), SELF, 64);

    assertEquals(2, plan.size(), plan.toString()); // the client's state, the device's log
    assertEquals(
        List.of(Statement.STATE_CONNECTED, Statement.STATE_DISCONNECTED), statements(plan.get(0)));
    assertEquals(List.of(Statement.LOG_ENTRY, Statement.LOG_ENTRY), statements(plan.get(1)));
    assertEquals(0, count(plan, Statement.OWNER_INSERT) + count(plan, Statement.OWNER_DELETE));
  }

  @Test
  void aConnectionStillOpenIsOwnedAndOneThatStartedInAnEarlierRunIsDisowned() {
    Instant earlier = T0.minusSeconds(60);
    List<List<Write>> plan =
        ConnectionWritePlan.plan(
            List.of(disconnected(earlier, T0), connected(T0.plusMillis(5), T0.plusMillis(5))),
            SELF,
            64);

    List<Write> owners =
        plan.stream()
            .flatMap(List::stream)
            .filter(w -> w.statement().name().startsWith("OWNER"))
            .toList();
    assertEquals(
        List.of(
            Write.of(
                Statement.OWNER_DELETE, ConnectionWritePlan.micros(earlier), SELF, "acme", CLIENT),
            Write.of(
                Statement.OWNER_INSERT,
                SELF,
                "acme",
                CLIENT,
                T0.plusMillis(5),
                "meter",
                "m1",
                "10.1.1.1:4000",
                ConnectionWritePlan.micros(T0.plusMillis(5)))),
        owners);
    // one batch for this node's partition of connection_owners
    assertTrue(plan.contains(owners), plan.toString());
  }

  @Test
  void aClientsStateGetsOnlyItsLatestStartAndEndOfTheRunWithTheirTimesAsWriteTimes() {
    List<ConnectionRecord> run = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Instant start = T0.plusSeconds(i);
      run.add(connected(start, start));
      run.add(disconnected(start, start.plusMillis(500)));
    }

    List<Write> states =
        ConnectionWritePlan.plan(run, SELF, 64).stream()
            .flatMap(List::stream)
            .filter(w -> w.statement().name().startsWith("STATE"))
            .toList();

    Instant last = T0.plusSeconds(9);
    assertEquals(
        List.of(
            Write.of(
                Statement.STATE_CONNECTED,
                ConnectionWritePlan.micros(last),
                last,
                "mqtt4-tcp",
                "acme",
                CLIENT),
            Write.of(
                Statement.STATE_DISCONNECTED,
                ConnectionWritePlan.micros(last.plusMillis(500)),
                last.plusMillis(500),
                last,
                "gone",
                "acme",
                CLIENT)),
        states);
  }

  @Test
  void everyLogEntryIsKeptInBatchesOfOneDeviceAtMostMaxWritesLong() {
    List<ConnectionRecord> run = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Instant start = T0.plusSeconds(i);
      run.add(connected(start, start));
      run.add(disconnected(start, start.plusMillis(1)));
    }
    DeviceKey other = new DeviceKey("acme", "meter", "m2");
    run.add(
        new Connected("acme", "d:acme:meter:m2", other, T0, T0, "mqtt4-tcp", "10.1.1.2:1", "up"));

    List<List<Write>> logBatches =
        ConnectionWritePlan.plan(run, SELF, 4).stream()
            .filter(batch -> batch.get(0).statement() == Statement.LOG_ENTRY)
            .toList();

    assertEquals(List.of(4, 4, 2, 1), logBatches.stream().map(List::size).toList());
    Map<Object, Long> perDevice =
        logBatches.stream()
            .collect(
                Collectors.groupingBy(
                    batch -> batch.get(0).values().get(2), Collectors.counting()));
    assertEquals(Map.of("m1", 3L, "m2", 1L), perDevice);
    for (List<Write> batch : logBatches) {
      assertEquals(1, batch.stream().map(w -> w.values().subList(0, 3)).distinct().count());
    }
  }

  @Test
  void anApplicationHasAStateAndAnOwnersRowButNoLog() {
    Connected app =
        new Connected("acme", "a:acme:app1", null, T0, T0, "mqtt4-tcp", "10.1.1.3:1", "up");

    List<List<Write>> plan = ConnectionWritePlan.plan(List.of(app), SELF, 64);

    assertEquals(0, count(plan, Statement.LOG_ENTRY));
    assertEquals(1, count(plan, Statement.STATE_CONNECTED));
    assertEquals(1, count(plan, Statement.OWNER_INSERT));
  }

  private static Connected connected(Instant start, Instant at) {
    return new Connected(
        "acme", CLIENT, METER, start, at, "mqtt4-tcp", "10.1.1.1:4000", "Connected at " + at);
  }

  private static Disconnected disconnected(Instant start, Instant at) {
    return new Disconnected("acme", CLIENT, METER, start, at, "gone", "Closed at " + at);
  }

  private static List<Statement> statements(List<Write> batch) {
    return batch.stream().map(Write::statement).toList();
  }

  private static long count(List<List<Write>> plan, Statement statement) {
    return plan.stream().flatMap(List::stream).filter(w -> w.statement() == statement).count();
  }
}
