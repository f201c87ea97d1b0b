package io.entwine.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.entwine.deploy.cassandra.CassandraPorts;
import io.entwine.deploy.cassandra.CassandraSettings;
import io.entwine.deploy.cassandra.EmbeddedCassandra;
import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.Journal;
import io.entwine.deploy.testing.LocalCluster;
import io.entwine.deploy.testing.NodeProcess;
import io.entwine.deploy.testing.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's second failover test: Cassandra stops under load. Devices get 503 — never 500, and
 * always an answer within their timeout — and once Cassandra is back on the same data, ingestion
 * resumes with every acknowledged event in the journal. The Cassandra is the test's own, so
 * stopping it does not disturb the other tests' shared one.
 */
class CassandraOutageIT {
  /** Longer than the node's ask timeout (10 s): every request must be answered before it. */
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

  private static final int DEVICES = 4;

  @Test
  void devicesGet503WhileCassandraIsDownAndLoseNothingAcknowledged() throws Exception {
    long startedAt = System.nanoTime();
    Path dir = Files.createTempDirectory("entwine-outage-it-");
    CassandraSettings settings =
        CassandraSettings.defaults(dir.resolve("cassandra"))
            .withNativePort(CassandraPorts.free("127.0.0.1"))
            .withStoragePort(0)
            .withHeap("256m", "512m");
    EmbeddedCassandra cassandra = EmbeddedCassandra.start(settings);
    Path logs = Path.of("target", "it-logs", "cassandra-outage-" + System.currentTimeMillis());
    try (LocalCluster cluster = LocalCluster.start(1, settings.nativePort(), logs, Map.of())) {
      NodeProcess node = cluster.node(1);
      ApiClient api = new ApiClient(LocalCluster.ADMIN_TOKEN);
      ApiKey apiKey = api.organizationWithApiKey(node.baseUrl());
      List<Device> devices = new ArrayList<>();
      for (int i = 0; i < DEVICES; i++) {
        devices.add(api.register(node.baseUrl(), apiKey, "meter", "c" + i));
      }

      Map<Device, Set<String>> acknowledged = new ConcurrentHashMap<>();
      Map<Device, List<Long>> acknowledgedAt = new ConcurrentHashMap<>();
      List<String> answers = new CopyOnWriteArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> senders = new ArrayList<>();
      for (Device device : devices) {
        acknowledged.put(device, ConcurrentHashMap.newKeySet());
        acknowledgedAt.put(device, new CopyOnWriteArrayList<>());
        Thread sender =
            new Thread(
                () -> {
                  for (int seq = 0; running.get(); seq++) {
                    String marker = "mk-" + device.id() + "-" + seq;
                    long start = System.nanoTime();
                    ApiClient.Response response =
                        api.sendEvent(
                            node.baseUrl(),
                            device,
                            "load",
                            "{\"d\":{\"marker\":\"" + marker + "\"}}",
                            CLIENT_TIMEOUT);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    answers.add(response.status() + " after " + millis + " ms");
                    if (response.status() == 200) {
                      acknowledged.get(device).add(marker);
                      acknowledgedAt.get(device).add(System.nanoTime());
                    }
                    sleep(100);
                  }
                },
                "sender-" + device.id());
        sender.setDaemon(true);
        sender.start();
        senders.add(sender);
      }
      TestNode.awaitValue(
          Duration.ofSeconds(60),
          () -> devices.stream().allMatch(d -> acknowledgedAt.get(d).size() >= 3),
          allSending -> allSending);

      cassandra.stop();
      long stoppedAt = System.nanoTime();
      TestNode.awaitValue(
          Duration.ofSeconds(90),
          () -> answers.stream().filter(a -> a.startsWith("503 ")).count() >= DEVICES,
          refused -> refused);
      TestNode.awaitValue(Duration.ofSeconds(30), node::isReady, ready -> !ready);
      int answeredDuringOutage = answers.size();

      cassandra = EmbeddedCassandra.start(settings);
      long restartedAt = System.nanoTime();
      TestNode.awaitValue(
          Duration.ofSeconds(180),
          () ->
              devices.stream()
                  .allMatch(
                      d ->
                          acknowledgedAt.get(d).stream().filter(t -> t > restartedAt).count() >= 3),
          resumed -> resumed);
      long resumedAt = System.nanoTime();
      TestNode.awaitValue(Duration.ofSeconds(60), node::isReady, ready -> ready);
      running.set(false);
      for (Thread sender : senders) {
        sender.join(CLIENT_TIMEOUT.plusSeconds(5).toMillis());
      }
      System.out.printf(
          "Cassandra outage: %d answers while down (%s); ingestion resumed %.1f s after the"
              + " restart (Cassandra was down %.1f s)%n",
          answeredDuringOutage,
          summary(answers),
          (resumedAt - restartedAt) / 1e9,
          (restartedAt - stoppedAt) / 1e9);

      for (String answer : answers) {
        assertTrue(
            answer.startsWith("200 ") || answer.startsWith("503 "),
            "200 or 503, within the client's timeout: " + answer);
      }
      try (CqlSession session = LocalCluster.openSession(settings.nativePort())) {
        for (Device device : devices) {
          assertFalse(acknowledged.get(device).isEmpty());
          assertEquals(
              Set.of(),
              Journal.missing(session, cluster.keyspace(), device, acknowledged.get(device)),
              "acknowledged events of " + device.id() + " missing from the journal");
        }
      }

      // The tag writer retries at once while Cassandra is down; its warnings are rate limited
      // (one per 10 s, WarningRateLimit) instead of ~10,000 a second.
      long runSeconds = (System.nanoTime() - startedAt) / 1_000_000_000L;
      List<String> lines = Files.readAllLines(node.log());
      long tagWriterWarnings =
          lines.stream().filter(line -> line.contains("Writing tags has failed")).count();
      long warnings = lines.stream().filter(line -> line.matches("^\\S+ (WARN|ERROR) .*")).count();
      System.out.printf(
          "node log: %d lines, %d warnings or errors, %d from the tag writer in %d s%n",
          lines.size(), warnings, tagWriterWarnings, runSeconds);
      assertTrue(
          tagWriterWarnings <= runSeconds / 10 + 2,
          tagWriterWarnings + " tag writer warnings in " + runSeconds + " s");
      assertTrue(warnings < 5_000, warnings + " warnings or errors in the node's log");
    } finally {
      cassandra.stop();
      deleteRecursively(dir);
    }
  }

  private static String summary(List<String> answers) {
    Map<String, Long> byStatus = new java.util.TreeMap<>();
    for (String answer : answers) {
      byStatus.merge(answer.substring(0, answer.indexOf(' ')), 1L, Long::sum);
    }
    return byStatus.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
