package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.EntwineRun;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded fuzz campaign against a node started as {@code entwine run} starts it: at least {@code
 * entwine.fuzz.inputs} (100,000) malformed HTTP requests and MQTT packets from seeded generators
 * ({@link HttpFuzz}, {@link MqttFuzz}), 36% of them MQTT ({@link #MQTT_PERCENT}), sent by a few
 * concurrent clients ({@link HttpLane} with many requests per connection, {@link MqttLane}), while
 * a probe asks {@code /health/ready} every 200 ms on its own connection. The node must stay alive
 * and ready, answer no input with a 5xx, never leave a connection hanging, and log no ERROR for any
 * of it.
 *
 * <p>The seed is fixed (20261207) so that the suite is repeatable; explore others with {@code
 * -Dentwine.fuzz.seed=N} (the seed is printed); leave categories out with {@code
 * -Dentwine.fuzz.skip=name,name} (substrings of the category, e.g. {@code chunk-size-bad}) to look
 * past a failure that is being fixed elsewhere.
 */
class FuzzIT {
  private static final long SEED = Long.getLong("entwine.fuzz.seed", 20261207L);
  private static final int INPUTS = Integer.getInteger("entwine.fuzz.inputs", 100_000);
  private static final Set<String> SKIP =
      Arrays.stream(System.getProperty("entwine.fuzz.skip", "").split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());

  /**
   * The share of MQTT inputs, fixed so that a faster protocol does not crowd out the other: the mix
   * the campaign had when each input took a connection of its own. {@code
   * -Dentwine.fuzz.mqtt-percent} (0 or 100) runs one protocol alone, to split the campaign's cost.
   */
  private static final int MQTT_PERCENT = Integer.getInteger("entwine.fuzz.mqtt-percent", 36);

  /**
   * Clients at once, for two cores shared by the node, its Cassandra and this test: enough that
   * clients waiting for answers (each connection's requests are answered one after the other) leave
   * the node work from the others.
   */
  private static final int HTTP_CLIENTS = 8;

  private static final int MQTT_CLIENTS = 8;

  /** Not a performance bound: only how long a stuck campaign may take before it is reported. */
  private static final Duration CAMPAIGN_LIMIT = Duration.ofMinutes(8);

  /** The organization's device quota; past it a registration is refused (403). */
  private static final int MAX_DEVICES = 500;

  private static final String DEVICE_TOKEN = "fuzz-device-token-0001";
  private static final String HONO_SECRET = "fuzz-hono-secret";
  private static final String PSK = "fuzz-psk-0001";

  private static final int MQTT_INPUTS = INPUTS * MQTT_PERCENT / 100;
  private static final int HTTP_INPUTS = INPUTS - MQTT_INPUTS;

  private final FuzzTally tally = new FuzzTally();

  @Test
  void malformedHttpAndMqttNeverBreakTheNode(@TempDir Path dataDir) throws Exception {
    System.out.printf(
        "FuzzIT seed %d (-Dentwine.fuzz.seed=%d), inputs %,d, skipping %s%n",
        SEED, SEED, INPUTS, SKIP);
    // The campaign is about input handling, not the cost of a stored hash (VerifiedSecrets tests):
    // registrations it provokes would otherwise spend most of the node's CPU in PBKDF2.
    // The node runs as `entwine run` runs it (its default ENTWINE_JAVA_OPTS: a heap of 256 MB to
    // 1 GB, both JIT compilers), not with the small heap and quick C1-only start of short ITs: the
    // campaign measures minutes of the node's CPU, as a user's node would spend it (ADR 0068).
    try (EntwineRun node =
        EntwineRun.start(
            dataDir,
            Map.of("ENTWINE_PBKDF2_ITERATIONS", "1000", "ENTWINE_JAVA_OPTS", "-Xms256m -Xmx1g"))) {
      HttpFuzz.Fixture http = fixtures(node);
      long logStart = Files.size(node.log());
      ReadinessProbe probe = new ReadinessProbe(node.baseUrl());
      probe.start();

      CassandraWork workBefore = CassandraWork.of(node.cassandraPort());
      CpuTime cpuBefore = CpuTime.of(node.pid());
      long started = System.nanoTime();
      ExecutorService pool =
          Executors.newFixedThreadPool(HTTP_CLIENTS + MQTT_CLIENTS + SlowInputs.COUNT);
      List<Future<?>> work = new ArrayList<>();
      Map<String, Double> lastEnd = new ConcurrentHashMap<>();
      for (int i = 0; i < HTTP_CLIENTS; i++) {
        HttpFuzz generator = new HttpFuzz(http, new Random(SEED * 31 + i), SKIP);
        work.add(
            pool.submit(
                timed(
                    "HTTP",
                    started,
                    lastEnd,
                    new HttpLane(
                        generator,
                        node.httpPort(),
                        tally,
                        () -> tally.httpInputs() < HTTP_INPUTS))));
      }
      for (int i = 0; i < MQTT_CLIENTS; i++) {
        // devices of its own: no client's CONNECT takes over another's session
        MqttFuzz.Fixture mqtt =
            new MqttFuzz.Fixture(
                http.org(),
                http.type(),
                "ms" + i,
                "mc" + i,
                DEVICE_TOKEN,
                http.apiKey(),
                http.apiToken());
        MqttFuzz generator = new MqttFuzz(mqtt, new Random(SEED * 37 + i), SKIP);
        work.add(
            pool.submit(
                timed(
                    "MQTT",
                    started,
                    lastEnd,
                    new MqttLane(
                        generator,
                        node.mqttPort(),
                        tally,
                        () -> tally.mqttInputs() < MQTT_INPUTS))));
      }
      for (SlowInputs.Input slow : SlowInputs.inputs(http, SKIP)) {
        work.add(
            pool.submit(
                timed(
                    "slow inputs",
                    started,
                    lastEnd,
                    () -> SlowInputs.run(slow, node.httpPort(), tally))));
      }
      pool.shutdown();
      boolean finished = pool.awaitTermination(CAMPAIGN_LIMIT.toSeconds(), TimeUnit.SECONDS);
      for (Future<?> each : work) {
        if (each.isDone()) {
          each.get(); // a worker's own exception fails the test here
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      CpuTime cpu = CpuTime.of(node.pid()).minus(cpuBefore);
      CassandraWork cassandraWork = CassandraWork.of(node.cassandraPort()).minus(workBefore);
      probe.stop();
      pool.shutdownNow();

      String logged = loggedSince(node.log(), logStart);
      List<String> logErrors = errorsLogged(logged);
      List<String> logWarnings = warningsLogged(logged);
      // kept for reading after the run: the data directory goes with the test
      Files.copy(
          node.log(), Path.of("target", "fuzz-node.log"), StandardCopyOption.REPLACE_EXISTING);
      System.out.printf("FuzzIT seed %d: %.1f s%n%s", SEED, seconds, tally.report());
      System.out.println(cpu.perInput(tally.inputs()));
      System.out.println("last client done, by kind (s after the start): " + lastEnd);
      System.out.print(cassandraWork.perInputs(tally.inputs()));
      System.out.println("readiness probes " + probe.probes() + ", failed " + probe.failures());
      logErrors.stream().limit(20).forEach(line -> System.out.println("LOGGED " + line));
      System.out.println("WARN lines logged during the campaign: " + logWarnings.size());
      logWarnings.stream().limit(10).forEach(line -> System.out.println("WARNED " + line));

      assertTrue(finished, "the campaign did not end within " + CAMPAIGN_LIMIT);
      assertTrue(node.isAlive(), "the node exited; see " + node.log());
      assertTrue(tally.httpInputs() >= HTTP_INPUTS, "HTTP inputs sent: " + tally.httpInputs());
      assertTrue(tally.mqttInputs() >= MQTT_INPUTS, "MQTT inputs sent: " + tally.mqttInputs());
      assertTrue(probe.probes() > 0, "the readiness probe never ran");
      assertEquals(List.of(), probe.failures(), "/health/ready answered other than 200");
      assertEquals(
          0,
          tally.failures().size(),
          "categories with 5xx, hangs or unreadable answers:\n" + tally.report() + "seed " + SEED);
      assertEquals(
          List.of(),
          logErrors.stream().limit(40).toList(),
          "ERROR lines (and their stack traces) in the node's log during the campaign; all of it"
              + " in target/fuzz-node.log");
      // a client's bad input is answered, not logged line by line: the log cannot be flooded
      // what a client provokes is rate-limited (logback.xml): a few lines per 10 s, not per input
      int maxWarnings = 20 + (int) (seconds / 2);
      assertTrue(
          logWarnings.size() <= maxWarnings,
          logWarnings.size()
              + " WARN lines for "
              + tally.inputs()
              + " inputs, e.g. "
              + logWarnings.stream().limit(5).toList());
    }
  }

  private HttpFuzz.Fixture fixtures(EntwineRun node) {
    ApiClient api = new ApiClient(EntwineRun.ADMIN_TOKEN);
    String base = node.baseUrl();
    ApiKey key = api.organizationWithApiKey(base);
    List<String[]> setUp = new ArrayList<>();
    List<String> devices = new ArrayList<>(List.of("dev0", "dev1"));
    for (int i = 0; i < MQTT_CLIENTS; i++) {
      devices.addAll(List.of("ms" + i, "mc" + i));
    }
    for (String device : devices) {
      setUp.add(
          new String[] {
            "/api/v0001/devices",
            "{\"type\":\"fz\",\"id\":\"" + device + "\",\"password\":\"" + DEVICE_TOKEN + "\"}"
          });
    }
    String credentials = "/api/v0002/device/types/fz/devices/dev0/credentials";
    setUp.add(
        new String[] {
          credentials,
          "{\"type\":\"hashed-password\",\"auth-id\":\"fzauth\",\"secret\":\"" + HONO_SECRET + "\"}"
        });
    setUp.add(new String[] {credentials, "{\"type\":\"psk\",\"secret\":\"" + PSK + "\"}"});
    for (String[] post : setUp) {
      expect(201, api.withApiKey(base, key, "POST", post[0], post[1]));
    }
    ApiClient.Response integration =
        api.withApiKey(
            base,
            key,
            "POST",
            "/api/v0002/integrations",
            "{\"name\":\"fz\",\"uplinkConverter\":{\"script\":\"var d = decodeToJson(payload);"
                + " return {deviceName: String(d.deviceName), telemetry: {t: d.temperature}};\"}}");
    expect(201, integration);
    // at most a second of waiting for a command (hono-ttd), and unauthenticated Hono devices on
    expect(
        200,
        admin(
            base,
            "/api/v0002/admin/organizations/" + key.org() + "/adapters/hono-http",
            "{\"enabled\":true,\"max-ttd\":1,\"allow-unauthenticated\":true}"));
    // a device quota, as an operator would set one: the integration's mutated device names and the
    // fuzzed registrations would otherwise add a twin per input, and the node's heap with them
    expect(
        200,
        admin(
            base,
            "/api/v0002/admin/organizations/" + key.org() + "/limits",
            "{\"max-devices\":" + MAX_DEVICES + "}"));
    return new HttpFuzz.Fixture(
        key.org(),
        key.key(),
        key.token(),
        "fz",
        "dev0",
        DEVICE_TOKEN,
        "fzauth",
        HONO_SECRET,
        PSK,
        integration.json().get("routingKey").asText(),
        EntwineRun.ADMIN_TOKEN);
  }

  /**
   * {@code client}, noting in {@code lastEnd} when the last client of its {@code kind} ended: which
   * protocol's clients the campaign's wall time waits for.
   */
  private static Runnable timed(
      String kind, long started, Map<String, Double> lastEnd, Runnable client) {
    return () -> {
      try {
        client.run();
      } finally {
        lastEnd.merge(kind, (System.nanoTime() - started) / 1e9, Math::max);
      }
    };
  }

  private static void expect(int status, ApiClient.Response response) {
    assertEquals(status, response.status(), response.body());
  }

  private static ApiClient.Response admin(String base, String path, String json) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + path))
                      .header("Authorization", "Bearer " + EntwineRun.ADMIN_TOKEN)
                      .header("Content-Type", "application/json")
                      .PUT(HttpRequest.BodyPublishers.ofString(json))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return new ApiClient.Response(response.statusCode(), response.body());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * CPU time the node, its Cassandra (the node's child process) and this test's JVM (the generators
   * and clients) have used: on a shared machine the campaign's wall time says little, CPU per input
   * what the node spends on malformed input and what the campaign spends sending it.
   */
  private record CpuTime(Duration node, Duration cassandra, Duration client) {
    static CpuTime of(long pid) {
      ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
      Duration children =
          process
              .descendants()
              .map(child -> child.info().totalCpuDuration().orElse(Duration.ZERO))
              .reduce(Duration.ZERO, Duration::plus);
      return new CpuTime(
          cpu(process), children, cpu(ProcessHandle.current())); // the test JVM: the campaign
    }

    private static Duration cpu(ProcessHandle process) {
      return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    CpuTime minus(CpuTime earlier) {
      return new CpuTime(
          node.minus(earlier.node),
          cassandra.minus(earlier.cassandra),
          client.minus(earlier.client));
    }

    String perInput(long inputs) {
      return String.format(
          "CPU per input: node %.3f ms, Cassandra %.3f ms, campaign's clients %.3f ms (node %.1f s,"
              + " Cassandra %.1f s, clients %.1f s)",
          node.toNanos() / 1e6 / inputs,
          cassandra.toNanos() / 1e6 / inputs,
          client.toNanos() / 1e6 / inputs,
          node.toMillis() / 1e3,
          cassandra.toMillis() / 1e3,
          client.toMillis() / 1e3);
    }
  }

  private static String loggedSince(Path log, long offset) throws IOException {
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
  }

  /** The start of a line the node's text log format writes: the date, time and offset. */
  private static final String LOG_LINE =
      "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) ";

  /** ERROR lines in {@code text}, each with the exception and stack trace lines after it. */
  private static List<String> errorsLogged(String text) {
    List<String> errors = new ArrayList<>();
    boolean inError = false;
    for (String line : text.split("\n")) {
      if (line.matches(LOG_LINE + ".*")) {
        inError = line.matches(LOG_LINE + "ERROR .*");
        if (inError) {
          errors.add(line);
        }
      } else if (inError && errors.size() < 200) {
        errors.add(line); // the exception and its stack trace
      }
    }
    return errors;
  }

  private static List<String> warningsLogged(String text) {
    return text.lines().filter(line -> line.matches(LOG_LINE + "WARN .*")).toList();
  }
}
