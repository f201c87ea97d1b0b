package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraCommandTest {

  private final CassandraSettings settings =
      CassandraSettings.defaults(Path.of("/data/cassandra"))
          .withNativePort(19042)
          .withHeap("256m", "768m");

  @Test
  void runsTheDaemonInTheForegroundWithThePortsHeapAndGeneratedConfig() {
    List<String> command = build(false);

    assertEquals("/jdk17/bin/java", command.get(0));
    assertEquals(CassandraCommand.DAEMON_CLASS, command.get(command.size() - 1));
    assertEquals("/a.jar:/b.jar", command.get(command.indexOf("-cp") + 1));
    assertTrue(command.containsAll(CassandraCommand.JVM17_SERVER_OPTIONS));
    assertTrue(
        command.containsAll(
            List.of(
                "-Xms256m",
                "-Xmx768m",
                "-Dcassandra-foreground=yes",
                "-Dcassandra.config=file:///data/cassandra/conf/cassandra.yaml",
                "-Dlogback.configurationFile=file:///data/cassandra/conf/logback.xml",
                "-Dcassandra.storagedir=/data/cassandra",
                "-Dcassandra.native_transport_port=19042",
                "-Dcassandra.storage_port=17000",
                "-Dcassandra.skip_wait_for_gossip_to_settle=0")));
  }

  @Test
  void flushesSchemaChangesAtOnceUnlessTheDataIsThrowaway() {
    assertFalse(build(false).contains(CassandraCommand.THROWAWAY_SCHEMA_OPTION));
    assertFalse(
        build(false).stream().anyMatch(option -> option.contains("flush_local_schema_changes")));

    List<String> throwaway =
        CassandraCommand.build(
            Path.of("/jdk17/bin/java"),
            settings.forThrowawayData(),
            17000,
            Path.of("/data/cassandra/conf"),
            Path.of("/data/cassandra/logs"),
            "/a.jar:/b.jar",
            false);
    assertTrue(throwaway.contains(CassandraCommand.THROWAWAY_SCHEMA_OPTION));
  }

  @Test
  void namesTheDataDirectoryWithinTheFirstFourKilobytesForOrphanDetection() {
    String commandLine = String.join(" ", build(true));

    int position = commandLine.indexOf(CassandraCommand.storageDirOption(settings.dataDir()) + " ");
    assertTrue(position >= 0 && position < 4096, commandLine);
  }

  @Test
  void dropsMemoryLockingThroughSetprivWhenAsked() {
    List<String> command = build(true);

    assertEquals(
        List.of("/usr/bin/setpriv", "--bounding-set=-ipc_lock", "/jdk17/bin/java"),
        command.subList(0, 3));
  }

  @Test
  void readsTheClasspathFileAndNamesMissingJars(@TempDir Path dir) throws IOException {
    Path jar = Files.createFile(dir.resolve("present.jar"));
    Path file = dir.resolve("cassandra.classpath");
    Files.writeString(file, jar + File.pathSeparator + dir.resolve("absent.jar") + "\n");

    IllegalStateException failure =
        assertThrows(IllegalStateException.class, () -> CassandraCommand.readClasspath(file));
    assertTrue(failure.getMessage().contains("absent.jar"));

    Files.writeString(file, jar + "\n");
    assertEquals(jar.toString(), CassandraCommand.readClasspath(file));
  }

  @Test
  void explainsHowToBuildAMissingClasspathFile(@TempDir Path dir) {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () -> CassandraCommand.readClasspath(dir.resolve("cassandra.classpath")));

    assertTrue(failure.getMessage().contains("deploy/cassandra-server"));
  }

  private List<String> build(boolean setpriv) {
    return CassandraCommand.build(
        Path.of("/jdk17/bin/java"),
        settings,
        17000,
        Path.of("/data/cassandra/conf"),
        Path.of("/data/cassandra/logs"),
        "/a.jar:/b.jar",
        setpriv);
  }
}
