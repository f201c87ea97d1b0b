package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.deploy.testing.SharedCassandra;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real Cassandra through the launcher, as the node's default run does. */
@TestMethodOrder(OrderAnnotation.class)
class EmbeddedCassandraIT {

  private static final Set<String> PEKKO_TABLES =
      Set.of(
          "messages",
          "tag_views",
          "tag_write_progress",
          "tag_scanning",
          "metadata",
          "all_persistence_ids",
          "snapshots",
          "offset_store",
          "projection_management");

  @TempDir static Path dataDir;
  private static CassandraSettings settings;
  private static EmbeddedCassandra cassandra;

  @BeforeAll
  static void startCassandra() {
    settings =
        CassandraSettings.defaults(dataDir)
            .withNativePort(CassandraPorts.free("127.0.0.1"))
            .withStoragePort(0);
    cassandra = EmbeddedCassandra.start(settings);
  }

  @AfterAll
  static void stopCassandra() {
    if (cassandra != null) {
      cassandra.stop();
    }
  }

  @Test
  @Order(1)
  void launchesCassandraFiveOnTheRequestedPortAndRecordsItsPid() throws IOException {
    assertTrue(cassandra.ownsProcess());
    assertEquals(settings.nativePort(), cassandra.nativePort());
    assertTrue(cassandra.releaseVersion().startsWith("5.0"), cassandra.releaseVersion());
    assertEquals(
        Long.toString(cassandra.pid().orElseThrow()),
        Files.readString(dataDir.resolve("cassandra.pid")).strip());
    assertTrue(Files.isRegularFile(dataDir.resolve("conf").resolve("cassandra.yaml")));
    assertTrue(Files.isRegularFile(dataDir.resolve("logs").resolve("system.log")));
  }

  @Test
  @Order(2)
  void appliesTheSchemaIntoAFreshKeyspaceIdempotently() {
    String keyspace = SharedCassandra.newKeyspace();
    try (CqlSession session = cassandra.openSession()) {
      SchemaApplier.apply(session, keyspace, SchemaApplier.SINGLE_NODE_REPLICATION);
      SchemaApplier.apply(session, keyspace, SchemaApplier.SINGLE_NODE_REPLICATION);

      Set<String> tables = tablesOf(session, keyspace);
      assertTrue(tables.containsAll(PEKKO_TABLES), tables::toString);
    }
  }

  @Test
  @Order(3)
  void secondStartOnTheSamePortReusesTheRunningCassandraAndLeavesItRunningAtStop(
      @TempDir Path otherDataDir) {
    EmbeddedCassandra reused =
        EmbeddedCassandra.start(
            CassandraSettings.defaults(otherDataDir).withNativePort(settings.nativePort()));

    assertFalse(reused.ownsProcess());
    assertTrue(reused.pid().isEmpty());
    reused.stop();

    assertTrue(
        ProcessHandle.of(cassandra.pid().orElseThrow()).map(ProcessHandle::isAlive).orElse(false));
    try (CqlSession session = cassandra.openSession()) {
      assertEquals(1, session.execute("SELECT release_version FROM system.local").all().size());
    }
  }

  @Test
  @Order(4)
  void secondStartOnTheSameDataDirectoryAlsoReuses() {
    EmbeddedCassandra reused = EmbeddedCassandra.start(settings);

    assertFalse(reused.ownsProcess());
    reused.stop();
    assertTrue(ProcessHandle.of(cassandra.pid().orElseThrow()).isPresent());
  }

  @Test
  @Order(5)
  void refusesAPortThatIsTakenBySomethingElseNamingTheEnvironmentVariable(
      @TempDir Path otherDataDir) throws IOException {
    try (ServerSocket notCassandra = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CassandraSettings taken =
          CassandraSettings.defaults(otherDataDir).withNativePort(notCassandra.getLocalPort());

      IllegalStateException failure =
          assertThrows(IllegalStateException.class, () -> EmbeddedCassandra.start(taken));

      assertTrue(failure.getMessage().contains(Integer.toString(notCassandra.getLocalPort())));
      assertTrue(failure.getMessage().contains(CassandraSettings.ENV_NATIVE_PORT));
    }
  }

  @Test
  @Order(6)
  void reportsTheProcessOutputWhenCassandraDiesDuringStart(@TempDir Path otherDataDir) {
    CassandraSettings unstartable =
        CassandraSettings.defaults(otherDataDir)
            .withNativePort(CassandraPorts.free("127.0.0.1"))
            .withStoragePort(0)
            .withHeap("512m", "not-a-size");

    IllegalStateException failure =
        assertThrows(IllegalStateException.class, () -> EmbeddedCassandra.start(unstartable));

    assertTrue(failure.getMessage().contains("exited with code"), failure.getMessage());
    assertTrue(failure.getMessage().contains("not-a-size"), failure.getMessage());
    assertFalse(Files.exists(otherDataDir.resolve("cassandra.pid")));
  }

  @Test
  @Order(7)
  void stopEndsTheProcessAndRemovesThePidFile() {
    long pid = cassandra.pid().orElseThrow();

    cassandra.stop();

    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertFalse(Files.exists(dataDir.resolve("cassandra.pid")));
  }

  private static Set<String> tablesOf(CqlSession session, String keyspace) {
    return session
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
        .all()
        .stream()
        .map((Row row) -> row.getString("table_name"))
        .collect(Collectors.toSet());
  }
}
