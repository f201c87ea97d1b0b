package io.entwine.deploy.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.deploy.testing.CommandLineTools;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Journal;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import io.entwine.integration.mqtt.MqttBridge;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Mosquitto broker (Debian's {@code mosquitto}, started here on a free port with a generated
 * configuration, password authentication and persistence, stopped by PID) and {@code mosquitto_pub}
 * publishing at QoS 1: Entwine's bridge records the messages on the twins, survives a poison
 * message, reconnects after the broker restarts and loses no message the broker accepted. {@code
 * src/test/scripts/install-mqtt-clients.sh} installs what is missing; the test is skipped (with the
 * reason) only when that is not possible.
 */
class MqttBridgeIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path INSTALL_SCRIPT = CommandLineTools.script("install-mqtt-clients.sh");
  private static final String USER = "entwine-bridge";
  private static final String PASSWORD = "br1dge-s3cret";
  private static final String DECODER =
      "var data = decodeToJson(payload);\n"
          + "return {deviceName: data.id, deviceType: 'sensor',\n"
          + "        telemetry: {seq: data.seq, temp: data.temp}};";

  /** Reconnect quickly after the broker restarts. */
  private static final String FAST_RECONNECT =
      "entwine.integration.mqtt-bridge.reconnect.min-backoff = 200ms\n"
          + "entwine.integration.mqtt-bridge.reconnect.max-backoff = 2s\n";

  @RegisterExtension static final TestNode node = TestNode.perClass(FAST_RECONNECT);
  private static final Fixtures fixtures = new Fixtures(node);
  private static String broker;

  @TempDir Path brokerDir;
  private Process brokerProcess;

  @BeforeAll
  static void broker() throws Exception {
    broker = brokerExecutable();
    if (broker == null
        || !CommandLineTools.runs("mosquitto_pub")
        || !CommandLineTools.runs("mosquitto_passwd")) {
      Process install =
          new ProcessBuilder("bash", INSTALL_SCRIPT.toString()).redirectErrorStream(true).start();
      String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      install.waitFor(10, TimeUnit.MINUTES);
      broker = brokerExecutable();
      Assumptions.assumeTrue(
          broker != null
              && CommandLineTools.runs("mosquitto_pub")
              && CommandLineTools.runs("mosquitto_passwd"),
          "Skipped: the mosquitto broker, mosquitto_pub or mosquitto_passwd is missing and "
              + INSTALL_SCRIPT
              + " could not install them: "
              + output);
    }
  }

  @AfterEach
  void stopBroker() {
    stop(brokerProcess);
  }

  @Test
  void recordsBrokerMessagesOnTwinsAndLosesNoneAcrossABrokerRestart() throws Exception {
    int port = freePort();
    startBroker(port);
    ApiKey apiKey = fixtures.organizationWithApiKey();

    ObjectNode request = bridgeRequest(port);
    TestNode.Response created = api(apiKey, "POST", "/api/v0002/bridges/mqtt", request.toString());
    assertEquals(201, created.status(), created.body());
    String id = created.json().get("id").asText();
    assertTrue(created.json().get("passwordSet").asBoolean(), created.body());
    assertFalse(created.body().contains(PASSWORD), created.body());
    try (CqlSession session = SharedCassandra.openSession()) {
      String journal =
          Journal.serializedEvents(
              session, node.keyspace(), "MqttBridge|" + apiKey.org() + "/" + id);
      assertTrue(journal.contains("entwine-it-" + port), "the bridge's events were read");
      assertFalse(journal.contains(PASSWORD), "the password is stored encrypted");
    }
    awaitStatus(apiKey, id, status -> status.get("connected").asBoolean());

    // a message the decoder throws on sits in the middle: it must not hold back the others
    List<String> first = new ArrayList<>();
    IntStream.rangeClosed(1, 10).forEach(seq -> first.add(reading("lab-1", seq)));
    first.add("not json at all");
    IntStream.rangeClosed(11, 20).forEach(seq -> first.add(reading("lab-1", seq)));
    publish(port, "lab-1", first);
    awaitRecorded(apiKey, "lab-1", 20);
    JsonNode afterFirst = awaitStatus(apiKey, id, status -> status.get("failed").asLong() >= 1);
    assertTrue(afterFirst.get("recorded").asLong() >= 20, afterFirst.toString());
    assertTrue(
        afterFirst.at("/lastError/message").asText().contains("Converter failed"),
        afterFirst.toString());
    assertEquals(
        200,
        api(apiKey, "GET", "/api/v0001/devices/sensor/lab-1", null).status(),
        "the bridge created the device");

    stop(brokerProcess);
    awaitStatus(apiKey, id, status -> !status.get("connected").asBoolean());
    startBroker(port);
    // published while the bridge may still be reconnecting: its persistent session keeps them
    publish(
        port,
        "lab-1",
        IntStream.rangeClosed(21, 40).mapToObj(seq -> reading("lab-1", seq)).toList());
    awaitRecorded(apiKey, "lab-1", 40);
    JsonNode afterRestart =
        awaitStatus(
            apiKey,
            id,
            status -> status.get("connected").asBoolean() && status.get("connects").asLong() >= 2);
    assertTrue(afterRestart.get("recorded").asLong() >= 40, afterRestart.toString());

    TestNode.Response list = api(apiKey, "GET", "/api/v0002/bridges/mqtt", null);
    assertEquals(id, list.json().at("/results/0/id").asText(), list.body());
    assertFalse(list.body().contains(PASSWORD), list.body());
    assertEquals(204, api(apiKey, "DELETE", "/api/v0002/bridges/mqtt/" + id, null).status());
    assertEquals(404, api(apiKey, "GET", "/api/v0002/bridges/mqtt/" + id, null).status());
    assertEquals(
        404, api(apiKey, "GET", "/api/v0002/bridges/mqtt/" + id + "/status", null).status());
  }

  @Test
  void aBridgeRunsAgainByItselfWhenItsNodeRestarts() throws Exception {
    int port = freePort();
    startBroker(port);
    ApiKey apiKey = fixtures.organizationWithApiKey();
    TestNode.Response created =
        api(apiKey, "POST", "/api/v0002/bridges/mqtt", bridgeRequest(port).toString());
    assertEquals(201, created.status(), created.body());
    String id = created.json().get("id").asText();
    awaitStatus(apiKey, id, status -> status.get("connected").asBoolean());
    publish(
        port, "lab-2", IntStream.rangeClosed(1, 5).mapToObj(seq -> reading("lab-2", seq)).toList());
    awaitRecorded(apiKey, "lab-2", 5);

    node.restart();
    // nothing addresses the bridge until these are recorded: it must have started by itself
    // (remembered entity), and its broker session kept what was published meanwhile
    publish(
        port,
        "lab-2",
        IntStream.rangeClosed(6, 10).mapToObj(seq -> reading("lab-2", seq)).toList());
    awaitRecorded(apiKey, "lab-2", 10);
    awaitStatus(apiKey, id, status -> status.get("connected").asBoolean());
    assertEquals(204, api(apiKey, "DELETE", "/api/v0002/bridges/mqtt/" + id, null).status());
  }

  @Test
  void aBridgeMovesToTheOtherNodeWhenItsNodeLeaves() throws Exception {
    int port = freePort();
    startBroker(port);
    List<TestNode> running = new ArrayList<>();
    try {
      TestNode first = TestNode.start(FAST_RECONNECT);
      running.add(first);
      TestNode second = TestNode.startJoining(first);
      running.add(second);
      ApiKey apiKey = new Fixtures(first).organizationWithApiKey();
      TestNode.Response created =
          api(first, apiKey, "POST", "/api/v0002/bridges/mqtt", bridgeRequest(port).toString());
      assertEquals(201, created.status(), created.body());
      String id = created.json().get("id").asText();
      awaitStatus(first, apiKey, id, status -> status.get("connected").asBoolean());
      TestNode host = runsBridge(first, apiKey.org(), id) ? first : second;
      TestNode survivor = host == first ? second : first;
      assertTrue(runsBridge(host, apiKey.org(), id), "one node runs the bridge");
      assertFalse(runsBridge(survivor, apiKey.org(), id), "only one");

      host.close();
      running.remove(host);
      // nothing addresses the bridge: the surviving node must start it by itself
      publish(
          port,
          "lab-3",
          IntStream.rangeClosed(1, 5).mapToObj(seq -> reading("lab-3", seq)).toList());
      awaitRecorded(survivor, apiKey, "lab-3", 5);
      assertTrue(runsBridge(survivor, apiKey.org(), id), "the surviving node runs it now");
    } finally {
      for (TestNode node : running) {
        node.close();
      }
    }
  }

  @Test
  void refusesBridgesItCannotRunWithAPreciseMessage() {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    ObjectNode badUrl = bridgeRequest(1883).put("url", "http://broker.example.com");
    ObjectNode badFilter = bridgeRequest(1883);
    ((ObjectNode) badFilter.withArray("topics").get(0)).put("filter", "sensors/#/telemetry");
    ObjectNode badScript = bridgeRequest(1883);
    badScript.putObject("uplinkConverter").put("script", "return {deviceName: ;");
    assertRefused(apiKey, badUrl, "'url' must be tcp://");
    assertRefused(apiKey, badFilter, "topics[0].filter");
    assertRefused(apiKey, badScript, "does not compile");
    TestNode.Response list = api(apiKey, "GET", "/api/v0002/bridges/mqtt", null);
    assertEquals(0, list.json().get("results").size(), list.body());
    TestNode.Response otherOrganization =
        api(fixtures.organizationWithApiKey(), "GET", "/api/v0002/bridges/mqtt", null);
    assertEquals(0, otherOrganization.json().get("results").size(), otherOrganization.body());
  }

  // ---- helpers ----

  private static ObjectNode bridgeRequest(int port) {
    ObjectNode request = JSON.createObjectNode();
    request.put("url", "tcp://127.0.0.1:" + port);
    request.put("username", USER);
    request.put("password", PASSWORD);
    request.put("clientId", "entwine-it-" + port);
    ArrayNode topics = request.putArray("topics");
    topics.addObject().put("filter", "sensors/+/telemetry").put("qos", 1);
    request.putObject("uplinkConverter").put("script", DECODER);
    request.put("allowCreateDevices", true);
    return request;
  }

  private static void assertRefused(ApiKey apiKey, ObjectNode request, String expected) {
    TestNode.Response refused = api(apiKey, "POST", "/api/v0002/bridges/mqtt", request.toString());
    assertEquals(400, refused.status(), refused.body());
    assertTrue(refused.json().get("message").asText().contains(expected), refused.body());
  }

  private static String reading(String device, int seq) {
    return "{\"id\":\"" + device + "\",\"seq\":" + seq + ",\"temp\":" + (20 + seq % 5) + "}";
  }

  private static TestNode.Response api(ApiKey apiKey, String method, String path, String body) {
    return api(node, apiKey, method, path, body);
  }

  private static TestNode.Response api(
      TestNode on, ApiKey apiKey, String method, String path, String body) {
    TestNode.RequestBuilder request =
        on.request(method, path).organization(apiKey.org()).basic(apiKey.key(), apiKey.token());
    return body == null ? request.send() : request.json(body).send();
  }

  private static JsonNode awaitStatus(
      ApiKey apiKey, String id, java.util.function.Predicate<JsonNode> done) {
    return awaitStatus(node, apiKey, id, done);
  }

  private static JsonNode awaitStatus(
      TestNode on, ApiKey apiKey, String id, java.util.function.Predicate<JsonNode> done) {
    return TestNode.awaitValue(
        WAIT,
        () -> api(on, apiKey, "GET", "/api/v0002/bridges/mqtt/" + id + "/status", null).json(),
        done);
  }

  /** Waits until the historian holds the telemetry of every sequence number 1..{@code last}. */
  private static void awaitRecorded(ApiKey apiKey, String device, int last) {
    awaitRecorded(node, apiKey, device, last);
  }

  private static void awaitRecorded(TestNode on, ApiKey apiKey, String device, int last) {
    Set<Integer> expected = new TreeSet<>();
    IntStream.rangeClosed(1, last).forEach(expected::add);
    TestNode.awaitValue(
        WAIT,
        () -> {
          TestNode.Response history =
              api(
                  on,
                  apiKey,
                  "GET",
                  "/api/v0001/historian/sensor/" + device + "?evt_type=telemetry&top=100",
                  null);
          Set<Integer> seen = new TreeSet<>();
          if (history.status() == 200) {
            history.json().forEach(event -> seen.add(event.at("/evt/d/seq").asInt()));
          }
          return seen;
        },
        seen -> seen.containsAll(expected));
  }

  /** Whether sharding runs the bridge's entity on {@code on} right now. */
  private static boolean runsBridge(TestNode on, String org, String id) {
    CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
                ClusterSharding.get(on.system()).shardState(),
                replyTo -> new GetShardRegionState(MqttBridge.ENTITY_KEY, replyTo),
                Duration.ofSeconds(10),
                on.system().scheduler())
            .toCompletableFuture()
            .join();
    String entityId = MqttBridge.entityId(org, id);
    return state.getShards().stream().anyMatch(shard -> shard.getEntityIds().contains(entityId));
  }

  /** One mosquitto_pub sending each line as a QoS 1 message; retried until the broker took all. */
  private static void publish(int port, String device, List<String> lines) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Process pub =
          new ProcessBuilder(
                  "mosquitto_pub",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  String.valueOf(port),
                  "-u",
                  USER,
                  "-P",
                  PASSWORD,
                  "-i",
                  "it-publisher",
                  "-q",
                  "1",
                  "-t",
                  "sensors/" + device + "/telemetry",
                  "-l")
              .redirectErrorStream(true)
              .start();
      try (OutputStream in = pub.getOutputStream()) {
        in.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!pub.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        stop(pub);
        throw new AssertionError("mosquitto_pub did not finish: " + output);
      }
      if (pub.exitValue() == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("mosquitto_pub failed: " + output);
      }
      Thread.sleep(200);
    }
  }

  /**
   * Mosquitto on 127.0.0.1:{@code port} with a password file and persistence under the test's
   * directory, so that the bridge's session and the messages queued for it survive a restart.
   */
  private void startBroker(int port) throws Exception {
    Path passwords = brokerDir.resolve("passwords");
    if (!Files.exists(passwords)) {
      Process passwd =
          new ProcessBuilder("mosquitto_passwd", "-c", "-b", passwords.toString(), USER, PASSWORD)
              .redirectErrorStream(true)
              .start();
      String output = new String(passwd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(passwd.waitFor(30, TimeUnit.SECONDS) && passwd.exitValue() == 0, output);
    }
    Path data = Files.createDirectories(brokerDir.resolve("data"));
    Path config = brokerDir.resolve("mosquitto.conf");
    Files.writeString(
        config,
        String.join(
            "\n",
            "listener " + port + " 127.0.0.1",
            "allow_anonymous false",
            "password_file " + passwords,
            "persistence true",
            "persistence_location " + data + "/",
            // run as whoever runs the test (as root, mosquitto would switch to user mosquitto)
            "user " + System.getProperty("user.name"),
            ""));
    brokerProcess =
        new ProcessBuilder(broker, "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(brokerDir.resolve("mosquitto.log").toFile())
            .start();
    TestNode.awaitValue(WAIT, () -> accepts(port), accepting -> accepting);
  }

  private static boolean accepts(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM by PID (mosquitto then saves its database), SIGKILL if it does not exit. */
  private static void stop(Process process) {
    if (process == null) {
      return;
    }
    ProcessHandle.of(process.pid())
        .ifPresent(
            handle -> {
              handle.destroy();
              try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                  handle.destroyForcibly();
                  process.waitFor(10, TimeUnit.SECONDS);
                }
              } catch (InterruptedException e) {
                handle.destroyForcibly();
                Thread.currentThread().interrupt();
              }
            });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The broker binary: on PATH, or in /usr/sbin where Debian puts it. */
  private static String brokerExecutable() {
    if (CommandLineTools.runs("mosquitto")) {
      return "mosquitto";
    }
    return Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : null;
  }
}
