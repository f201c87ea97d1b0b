package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CassandraSettingsTest {

  @Test
  void defaultsToPort9042AndDataBelowDataCassandra() {
    CassandraSettings settings = CassandraSettings.fromEnvironment(Map.of());

    assertEquals(9042, settings.nativePort());
    assertEquals(7000, settings.storagePort());
    assertEquals(Path.of("data", "cassandra").toAbsolutePath(), settings.dataDir());
    assertEquals("1g", settings.maxHeap());
    assertFalse(settings.throwawayData(), "a node's data must survive a crash");
  }

  @Test
  void readsDataDirectoryAndPortFromTheEnvironment() {
    CassandraSettings settings =
        CassandraSettings.fromEnvironment(
            Map.of("ENTWINE_DATA_DIR", "/srv/entwine", "ENTWINE_CASSANDRA_PORT", "19042"));

    assertEquals(Path.of("/srv/entwine/cassandra"), settings.dataDir());
    assertEquals(19042, settings.nativePort());
  }

  @Test
  void readsTheStoragePortFromTheEnvironment() {
    CassandraSettings settings =
        CassandraSettings.fromEnvironment(Map.of("ENTWINE_CASSANDRA_STORAGE_PORT", "17001"));

    assertEquals(17001, settings.storagePort());
    assertEquals(9042, settings.nativePort());
  }

  @Test
  void addsTheExtraJvmOptionsFromTheEnvironmentToCassandrasCommand() {
    CassandraSettings settings =
        CassandraSettings.fromEnvironment(
            Map.of(
                "ENTWINE_CASSANDRA_JAVA_OPTS",
                " -Xlog:safepoint=info:file=/tmp/c-%p.log:utctime,tags  -XX:+AlwaysPreTouch "));

    List<String> options =
        List.of("-Xlog:safepoint=info:file=/tmp/c-%p.log:utctime,tags", "-XX:+AlwaysPreTouch");
    assertEquals(options, settings.extraJvmOptions());
    List<String> command =
        CassandraCommand.build(
            Path.of("/jdk/bin/java"),
            settings,
            7000,
            Path.of("/conf"),
            Path.of("/logs"),
            "cassandra.jar",
            false);
    assertTrue(command.containsAll(options), command.toString());
    assertTrue(
        command.indexOf(options.get(0)) < command.indexOf("-cp"),
        "JVM options come before the classpath and the main class");
    assertEquals(List.of(), CassandraSettings.fromEnvironment(Map.of()).extraJvmOptions());
  }

  @Test
  void rejectsAPortThatIsNotANumber() {
    IllegalArgumentException failure =
        assertThrows(
            IllegalArgumentException.class,
            () -> CassandraSettings.fromEnvironment(Map.of("ENTWINE_CASSANDRA_PORT", "cql")));
    assertEquals(true, failure.getMessage().contains("ENTWINE_CASSANDRA_PORT"));
  }
}
