package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.EntwineRun;
import io.entwine.deploy.testing.Ports;
import io.entwine.deploy.testing.SharedCassandra;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that cannot start exits with a failure instead of staying alive and never ready: a
 * supervisor (systemd, Kubernetes, a test) must see the failure to restart or report it, and the
 * embedded Cassandra must not be left behind.
 */
class StartupFailureIT {
  @TempDir Path dir;

  @Test
  void aNodeWhoseHttpPortIsTakenExitsWithAFailure() throws Exception {
    int cassandraPort = SharedCassandra.get().nativePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path log = dir.resolve("node.log");
      ProcessBuilder builder =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-Xmx256m",
                      "-XX:TieredStopAtLevel=1",
                      "io.entwine.deploy.Main"))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put("CLASSPATH", EntwineRun.productionClasspath());
      builder.environment().put("ENTWINE_ADMIN_TOKEN", EntwineRun.ADMIN_TOKEN);
      builder.environment().put("ENTWINE_DATA_DIR", dir.toString());
      builder.environment().put("ENTWINE_CASSANDRA_CONTACT_POINTS", "127.0.0.1");
      builder.environment().put("ENTWINE_CASSANDRA_PORT", Integer.toString(cassandraPort));
      builder.environment().put("ENTWINE_CASSANDRA_KEYSPACE", SharedCassandra.newKeyspace());
      builder.environment().put("ENTWINE_HTTP_INTERFACE", "127.0.0.1");
      builder.environment().put("ENTWINE_HTTP_PORT", Integer.toString(taken.getLocalPort()));
      builder.environment().put("ENTWINE_MQTT_PORT", "-1");
      builder.environment().put("ENTWINE_MQTTS_PORT", "-1");
      builder.environment().put("ENTWINE_MQTT_WS_PORT", "-1");
      builder.environment().put("ENTWINE_CLUSTER_HOST", "127.0.0.1");
      builder.environment().put("ENTWINE_CLUSTER_PORT", Integer.toString(Ports.free()));
      builder.environment().put("ENTWINE_MANAGEMENT_PORT", Integer.toString(Ports.free()));
      builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"));
      Process node = builder.start();
      try {
        boolean exited = node.waitFor(180, TimeUnit.SECONDS);

        assertTrue(exited, "the node neither started nor exited; see " + Files.readString(log));
        assertEquals(1, node.exitValue(), Files.readString(log));
        assertTrue(
            Files.readString(log).contains("the node could not start"), Files.readString(log));
      } finally {
        node.destroyForcibly();
      }
    }
  }
}
