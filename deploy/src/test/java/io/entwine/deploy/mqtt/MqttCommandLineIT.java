package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.CommandLineTools;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.StateApi;
import io.entwine.deploy.testing.TestNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The command-line clients a user reaches for: {@code mosquitto_sub}/{@code mosquitto_pub}
 * (Debian's mosquitto-clients) over TCP and MQTT.js over WebSocket, run as separate processes
 * against a real node. When a tool is missing, {@code src/test/scripts/install-mqtt-clients.sh}
 * installs it; the tests are skipped (with the reason) only when that is not possible.
 */
class MqttCommandLineIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path INSTALL_SCRIPT = CommandLineTools.script("install-mqtt-clients.sh");
  private static final Path MQTT_JS_SCRIPT = CommandLineTools.script("mqttjs-roundtrip.cjs");
  private static final Path MQTT_JS_DIR =
      Path.of(
          System.getenv()
              .getOrDefault(
                  "ENTWINE_MQTT_JS_DIR",
                  Path.of(System.getProperty("user.home"), ".cache", "entwine", "mqtt-js")
                      .toString()));

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  private final List<Running> started = new ArrayList<>();

  @BeforeAll
  static void commandLineClients() throws Exception {
    String missing = missingTools();
    if (!missing.isEmpty()) {
      Running install = Running.start(List.of("bash", INSTALL_SCRIPT.toString()));
      boolean finished = install.process.waitFor(10, TimeUnit.MINUTES);
      install.stop();
      missing = missingTools();
      Assumptions.assumeTrue(
          missing.isEmpty(),
          "Skipped: "
              + missing
              + " missing and "
              + INSTALL_SCRIPT
              + (finished ? " could not install it: " + install.output() : " timed out"));
    }
  }

  @AfterEach
  void stopProcesses() {
    started.forEach(Running::stop);
  }

  @Test
  void mosquittoSubPrintsWhatMosquittoPubSends() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "thermostat", "lab-1");
    String org = apiKey.org();
    // the done-criterion, verbatim but for the node's address
    Running sub =
        run(
            mosquitto("mosquitto_sub"),
            "-i",
            "a:" + org + ":app1",
            "-u",
            apiKey.key(),
            "-P",
            apiKey.token(),
            "-t",
            "iot-2/type/+/id/+/evt/+/fmt/+",
            "-v");
    String expected = "iot-2/type/thermostat/id/lab-1/evt/status/fmt/json {\"d\":{\"temp\":21}}";
    // mosquitto_sub says nothing when its SUBACK came: publish until the first copy shows up
    long deadline = System.nanoTime() + WAIT.toNanos();
    String line = null;
    while (line == null && System.nanoTime() < deadline) {
      Running pub =
          run(
              mosquitto("mosquitto_pub"),
              "-i",
              "d:" + org + ":thermostat:lab-1",
              "-u",
              "use-token-auth",
              "-P",
              device.token(),
              "-q",
              "1",
              "-t",
              "iot-2/evt/status/fmt/json",
              "-m",
              "{\"d\":{\"temp\":21}}");
      assertEquals(0, pub.exitCode(WAIT), pub.output());
      line = sub.nextLine(Duration.ofSeconds(1));
    }
    assertEquals(expected, line, sub.output());
  }

  @Test
  void mosquittoSubscribedDeviceReceivesTheCommandMosquittoPubSends() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "valve", "v-1");
    String org = apiKey.org();
    // a persistent session (-c): a command queued before the subscription is delivered too
    Running device1 =
        run(
            mosquitto("mosquitto_sub"),
            "-i",
            "d:" + org + ":valve:v-1",
            "-u",
            "use-token-auth",
            "-P",
            device.token(),
            "-c",
            "-q",
            "1",
            "-t",
            "iot-2/cmd/+/fmt/+",
            "-v");
    Running pub =
        run(
            mosquitto("mosquitto_pub"),
            "-i",
            "a:" + org + ":controller",
            "-u",
            apiKey.key(),
            "-P",
            apiKey.token(),
            "-q",
            "1",
            "-t",
            "iot-2/type/valve/id/v-1/cmd/open/fmt/json",
            "-m",
            "{\"d\":{\"pct\":50}}");
    assertEquals(0, pub.exitCode(WAIT), pub.output());
    assertEquals(
        "iot-2/cmd/open/fmt/json {\"d\":{\"pct\":50}}", device1.nextLine(WAIT), device1.output());
  }

  @Test
  void mqttJsOverWebSocketSeesEventsAndSendsCommands() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "lamp", "l-7");
    Running js =
        run(
            List.of(
                "node",
                MQTT_JS_SCRIPT.toString(),
                node.mqttWebSocketUri(),
                apiKey.org(),
                "lamp",
                "l-7",
                device.token(),
                apiKey.key(),
                apiKey.token()));
    assertEquals(0, js.exitCode(Duration.ofSeconds(40)), js.output());
    assertTrue(
        js.output()
            .contains("app iot-2/type/lamp/id/l-7/evt/status/fmt/json {\"d\":{\"temp\":21}}"),
        js.output());
    assertTrue(
        js.output().contains("device iot-2/cmd/reboot/fmt/json {\"d\":{\"delay\":1}}"),
        js.output());
  }

  @Test
  void theStateWalkthroughWithCurlsHttpAndMosquitto() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "thermostat", "lab-1");
    StateApi state = new StateApi(node, apiKey, "thermostat", "lab-1");
    assertEquals(200, state.desire("{\"interval\":15}", "\"0\"").status());
    assertEquals(412, state.desire("{\"interval\":15}", "\"0\"").status());
    List<String> asDevice =
        List.of(
            "-i",
            "d:" + apiKey.org() + ":thermostat:lab-1",
            "-u",
            "use-token-auth",
            "-P",
            device.token(),
            "-q",
            "1");

    // the README's commands, verbatim but for the node's address
    Running sub =
        run(mosquitto("mosquitto_sub"), with(asDevice, "-t", "iot-2/state/delta", "-C", "1"));
    assertEquals(0, sub.exitCode(WAIT), sub.output());
    assertEquals("{\"version\":1,\"delta\":{\"interval\":15}}", sub.output().strip());
    Running pub =
        run(
            mosquitto("mosquitto_pub"),
            with(asDevice, "-t", "iot-2/state/reported", "-m", "{\"interval\":15}"));
    assertEquals(0, pub.exitCode(WAIT), pub.output());

    JsonNode after = state.state().json();
    assertEquals(2, after.get("version").asLong(), after.toString());
    assertTrue(after.get("delta").isEmpty(), after.toString());
    assertTrue(after.at("/metadata/reported/interval/timestamp").isNumber(), after.toString());
  }

  private static String[] with(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  // ---- processes ----

  private List<String> mosquitto(String tool) {
    URI tcp = URI.create(node.mqttUri());
    return List.of(tool, "-h", tcp.getHost(), "-p", String.valueOf(tcp.getPort()));
  }

  private Running run(List<String> prefix, String... arguments) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(arguments));
    return run(command);
  }

  private Running run(List<String> command) throws IOException {
    Running running = Running.start(command);
    started.add(running);
    return running;
  }

  /** One started process: its output lines as they come, stopped by PID. */
  private static final class Running {
    final Process process;
    final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final StringBuffer all = new StringBuffer();
    private final Thread reader;

    private Running(Process process) {
      this.process = process;
      reader =
          new Thread(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = out.readLine()) != null; ) {
                    all.append(line).append('\n');
                    lines.add(line);
                  }
                } catch (IOException e) {
                  all.append(e).append('\n');
                }
              },
              "output-of-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    static Running start(List<String> command) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("NODE_PATH", MQTT_JS_DIR.resolve("node_modules").toString());
      return new Running(builder.start());
    }

    /** The next output line, or null when none comes within {@code timeout}. */
    String nextLine(Duration timeout) throws InterruptedException {
      return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int exitCode(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + timeout + ": " + output());
      }
      // the process may exit before its last output is read: output() must hold all of it
      reader.join(timeout.toMillis());
      return process.exitValue();
    }

    String output() {
      return all.toString();
    }

    void stop() {
      ProcessHandle.of(process.pid())
          .ifPresent(
              handle -> {
                handle.destroy();
                try {
                  if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    handle.destroyForcibly();
                  }
                } catch (InterruptedException e) {
                  handle.destroyForcibly();
                  Thread.currentThread().interrupt();
                }
              });
    }
  }

  /** Which of the clients are not there, empty when all are. */
  private static String missingTools() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("mosquitto_sub", "mosquitto_pub", "node")) {
      if (!CommandLineTools.runs(tool)) {
        missing.add(tool);
      }
    }
    if (!Files.isRegularFile(MQTT_JS_DIR.resolve("node_modules/mqtt/package.json"))) {
      missing.add("MQTT.js (npm mqtt@5 in " + MQTT_JS_DIR + ")");
    }
    return String.join(", ", missing);
  }
}
