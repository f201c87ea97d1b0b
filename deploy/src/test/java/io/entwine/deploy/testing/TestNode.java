package io.entwine.deploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.entwine.deploy.EntwineNode;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An Entwine node for integration tests: real HTTP on a free port, the shared real Cassandra, its
 * own keyspace (kept across {@link #restart()} so recovery can be tested).
 *
 * <p>Most test classes share one node: {@code @RegisterExtension static final TestNode node =
 * TestNode.perClass();} starts it before the class's {@code @BeforeAll} methods and stops it after
 * its {@code @AfterAll} methods. Before each test, that node fills the test's fields marked {@link
 * NewOrganization} and {@link RegisteredDevice}, so every test works in an organization of its own.
 */
public final class TestNode
    implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  public static final String ADMIN_TOKEN = "it-operator-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The JDK client refuses to set Host unless allowed; IBM clients address ORG.domain by Host.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  private final String keyspace;
  private final String extraConfig;
  // The node whose cluster this one joins; null for a cluster's first node.
  private final TestNode seed;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private EntwineNode node;

  private TestNode(String keyspace, String extraConfig, TestNode seed) {
    this.keyspace = keyspace;
    this.extraConfig = extraConfig;
    this.seed = seed;
  }

  /** A node on a fresh keyspace that the node creates from the project's CQL files. */
  public static TestNode start() throws Exception {
    return start("");
  }

  /** Like {@link #start()}, with HOCON settings over the test defaults (e.g. MQTT TLS files). */
  public static TestNode start(String extraConfig) throws Exception {
    TestNode testNode = perClass(extraConfig);
    testNode.node = EntwineNode.start(testNode.config());
    return testNode;
  }

  /** A node on a fresh keyspace that a test class registers as its extension; not started yet. */
  public static TestNode perClass() {
    return perClass("");
  }

  /** Like {@link #perClass()}, with HOCON settings over the test defaults. */
  public static TestNode perClass(String extraConfig) {
    return new TestNode(SharedCassandra.newKeyspace(), extraConfig, null);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (seed == null) {
      node = EntwineNode.start(config());
    } else {
      join();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (node != null) {
      close();
    }
  }

  /**
   * Gives the test a new organization with an API key, and registers its devices in it; a joining
   * node leaves that to its cluster's first node.
   */
  @Override
  public void beforeEach(ExtensionContext context) throws IllegalAccessException {
    if (seed != null) {
      return;
    }
    Object test = context.getRequiredTestInstance();
    Fixtures fixtures = new Fixtures(this);
    Fixtures.ApiKey apiKey = null;
    for (Field field : test.getClass().getDeclaredFields()) {
      if (field.isAnnotationPresent(NewOrganization.class)) {
        apiKey = fixtures.organizationWithApiKey();
        field.setAccessible(true);
        field.set(test, apiKey);
      }
    }
    for (Field field : test.getClass().getDeclaredFields()) {
      RegisteredDevice device = field.getAnnotation(RegisteredDevice.class);
      if (device != null) {
        if (apiKey == null) {
          throw new IllegalStateException(field + " needs a field marked @NewOrganization");
        }
        field.setAccessible(true);
        field.set(test, fixtures.register(apiKey, device.type(), device.id()));
      }
    }
  }

  /**
   * A second node on {@code seed}'s keyspace that joins {@code seed}'s cluster (one JVM, two actor
   * systems); returns once both see each other Up.
   */
  public static TestNode startJoining(TestNode seed) throws Exception {
    TestNode joining = joiningPerClass(seed);
    joining.join();
    return joining;
  }

  /**
   * Like {@link #startJoining}, as a JUnit extension that joins before the class's tests and stops
   * after them. Register it after {@code seed} ({@code @Order}), so that it starts after and stops
   * before it; {@code seed} fills the tests' fields.
   */
  public static TestNode joiningPerClass(TestNode seed) {
    return new TestNode(seed.keyspace, seed.extraConfig, seed);
  }

  private void join() throws Exception {
    node = EntwineNode.start(config());
    for (TestNode member : List.of(seed, this)) {
      awaitValue(
          Duration.ofSeconds(60),
          () ->
              (int)
                  java.util.stream.StreamSupport.stream(
                          Cluster.get(member.node.system()).state().getMembers().spliterator(),
                          false)
                      .filter(m -> m.status() == MemberStatus.up())
                      .count(),
          up -> up == 2);
    }
  }

  /** Stops the node and starts a new one on the same keyspace. */
  public void restart() throws Exception {
    node.close();
    node = EntwineNode.start(config());
  }

  private Config config() {
    var cassandra = SharedCassandra.get();
    return EntwineNode.config(
        ConfigFactory.parseString(joinedSeed() + extraConfig)
            .withFallback(
                ConfigFactory.parseString(
                    """
            entwine.cassandra.keyspace = "%s"
            entwine.cassandra.contact-points = "127.0.0.1"
            entwine.cassandra.port = %d
            entwine.admin-token = "%s"
            entwine.credentials.secret-key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
            entwine.http.port = 0
            entwine.http.interface = "127.0.0.1"
            entwine.http.tls-port = 0
            entwine.mqtt.interface = "127.0.0.1"
            entwine.mqtt.port = 0
            entwine.mqtt.tls-port = 0
            entwine.mqtt.websocket-port = 0
            entwine.cluster.port = 0
            entwine.cluster.seed-nodes = ""
            entwine.management.enabled = off
            pekko.coordinated-shutdown.exit-jvm = off
            """
                        .formatted(keyspace, cassandra.nativePort(), ADMIN_TOKEN))));
  }

  /** The setting that has a joining node join its seed's cluster; none for a first node. */
  private String joinedSeed() {
    if (seed == null) {
      return "";
    }
    Address address = Cluster.get(seed.node.system()).selfMember().address();
    return "entwine.cluster.seed-nodes = \""
        + address.getHost().orElseThrow()
        + ":"
        + address.getPort().orElseThrow()
        + "\"\n";
  }

  /** The node's actor system, for tests that look inside (sharding, projection management). */
  public org.apache.pekko.actor.typed.ActorSystem<Void> system() {
    return node.system();
  }

  /** The keyspace of the node's journal and read models. */
  public String keyspace() {
    return keyspace;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  /** The HTTPS listener's address; only when the node was given a certificate. */
  public String httpsUrl() {
    return "https://127.0.0.1:" + node.httpsPort().orElseThrow();
  }

  /** Paho's address of the plain MQTT listener, {@code tcp://127.0.0.1:PORT}. */
  public String mqttUri() {
    return "tcp://127.0.0.1:" + node.mqttPort().orElseThrow();
  }

  /** Paho's address of the MQTT-over-WebSocket listener ({@code wss://} when TLS is set). */
  public String mqttWebSocketUri() {
    String scheme = node.mqttTlsPort().isPresent() ? "wss" : "ws";
    return scheme + "://127.0.0.1:" + node.mqttWebSocketPort().orElseThrow() + "/mqtt";
  }

  /** Paho's address of the MQTT-over-TLS listener; only when the node was given a certificate. */
  public String mqttTlsUri() {
    return "ssl://127.0.0.1:" + node.mqttTlsPort().orElseThrow();
  }

  @Override
  public void close() throws Exception {
    node.close();
  }

  // ---- HTTP ----

  /** A response with its body as text and, when it is JSON, parsed. */
  public record Response(int status, String body, HttpResponse<String> raw) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON: " + body, e);
      }
    }
  }

  public RequestBuilder request(String method, String path) {
    return new RequestBuilder(method, path);
  }

  public final class RequestBuilder {
    private final HttpRequest.Builder builder;
    private final String method;
    private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

    private RequestBuilder(String method, String path) {
      this.method = method;
      this.builder =
          HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
    }

    public RequestBuilder organization(String org) {
      builder.header("Host", org + ".localhost");
      return this;
    }

    public RequestBuilder basic(String user, String password) {
      String pair = user + ":" + password;
      builder.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
      return this;
    }

    public RequestBuilder header(String name, String value) {
      builder.header(name, value);
      return this;
    }

    public RequestBuilder operator() {
      builder.header("Authorization", "Bearer " + ADMIN_TOKEN);
      return this;
    }

    public RequestBuilder json(String json) {
      return body("application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public RequestBuilder body(String contentType, byte[] bytes) {
      if (contentType != null) {
        builder.header("Content-Type", contentType);
      }
      body = HttpRequest.BodyPublishers.ofByteArray(bytes);
      return this;
    }

    public Response send() {
      try {
        HttpResponse<String> response =
            client.send(builder.method(method, body).build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
      } catch (IOException e) {
        throw new AssertionError(method + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(method + " interrupted", e);
      }
    }
  }

  /** Polls {@code probe} until {@code done} accepts its value, for eventually consistent views. */
  public static <T> T awaitValue(Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T value = probe.get();
    while (!done.test(value)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not reached within " + timeout + "; last value: " + value);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      value = probe.get();
    }
    return value;
  }
}
