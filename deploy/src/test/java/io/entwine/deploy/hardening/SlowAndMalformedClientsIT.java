package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.EntwineRun;
import io.entwine.http.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23, defects 5, 8 and 11, against a node started as {@code entwine run} starts one, over raw
 * sockets so that slow and malformed requests are sent exactly: slow request heads and silent MQTT
 * connections are closed while the node stays ready, one address cannot take every connection,
 * unauthenticated bodies too large, broken or stalled get 413, 400 or 408 (one log line at most
 * each, no stack trace), and an unparseable Content-Type 415 on every event endpoint.
 */
class SlowAndMalformedClientsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final int PER_ADDRESS = 30;
  private static final InetAddress OTHER_CLIENT = address("127.0.0.2");
  private static final List<String> BODY_ENDPOINTS =
      List.of("/telemetry", "/device/publish", "/api/v1/integrations/http/no-such-key");

  @TempDir static Path dataDir;
  private static EntwineRun node;

  @BeforeAll
  static void start() {
    String timeout = TIMEOUT.toSeconds() + "s";
    node =
        EntwineRun.start(
            dataDir,
            Map.of(
                "ENTWINE_HTTP_REQUEST_HEADER_TIMEOUT",
                timeout,
                "ENTWINE_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
                Integer.toString(PER_ADDRESS),
                "ENTWINE_MQTT_CONNECT_TIMEOUT",
                timeout,
                "ENTWINE_MQTT_MAX_CONNECTIONS_PER_ADDRESS",
                Integer.toString(PER_ADDRESS)));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  // ---- slow and greedy clients ----

  @Test
  void closesTricklingRequestHeadsWhileTheNodeStaysReady() throws Exception {
    List<RawHttp> slow = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      slow.add(
          new RawHttp(node.httpPort(), Duration.ofMillis(50))
              .send("GET /health/ready HTTP/1.1\r\n"));
    }
    long deadline = System.nanoTime() + TIMEOUT.multipliedBy(6).toNanos();
    int readyAnswers = 0;
    while (slow.stream().anyMatch(c -> !c.closed()) && System.nanoTime() < deadline) {
      for (RawHttp connection : slow) {
        if (!connection.closed() && !connection.closedByServer()) {
          connection.send("X-Slow: " + readyAnswers + "\r\n");
        }
      }
      assertEquals(200, ready(null), "/health/ready on a connection of its own");
      readyAnswers++;
    }
    assertTrue(slow.stream().allMatch(c -> c.closed()), "every slow connection closed");
    assertTrue(readyAnswers > 1);
    slow.forEach(RawHttp::close);
  }

  @Test
  void closesHttpConnectionsBeyondThePerAddressLimitWhileOtherClientsAreServed() throws Exception {
    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        held.add(new RawHttp(node.httpPort(), TIMEOUT.multipliedBy(4)));
      }
      try (RawHttp extra = new RawHttp(node.httpPort(), TIMEOUT.dividedBy(2))) {
        assertTrue(extra.closedByServer(), "closed before the header timeout");
      }
      assertEquals(200, ready(OTHER_CLIENT), "another address");
      assertEquals(200, held.get(0).send(get("/health/ready")).status(), "the held ones are open");
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void closesMqttConnectionsBeyondThePerAddressLimitAndSilentOnesAfterTheConnectTimeout()
      throws Exception {
    List<RawHttp> silent = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        silent.add(new RawHttp(node.mqttPort(), TIMEOUT.multipliedBy(4)));
      }
      try (RawHttp extra = new RawHttp(node.mqttPort(), TIMEOUT.dividedBy(2));
          RawHttp other = new RawHttp(node.mqttPort(), OTHER_CLIENT, TIMEOUT.dividedBy(2))) {
        assertTrue(extra.closedByServer(), "beyond the limit: closed at once");
        assertFalse(other.closedByServer(), "another address is let in");
      }
      for (RawHttp connection : silent) {
        assertTrue(connection.closedByServer(), "no CONNECT: closed after the connect timeout");
      }
    } finally {
      silent.forEach(RawHttp::close);
    }
  }

  @Test
  void closesAWebSocketConnectionTricklingItsHandshake() throws Exception {
    int port = Integer.parseInt(node.env("ENTWINE_MQTT_WS_PORT"));
    try (RawHttp slow = new RawHttp(port, Duration.ofMillis(300))) {
      slow.send("GET /mqtt HTTP/1.1\r\n");
      long deadline = System.nanoTime() + TIMEOUT.multipliedBy(4).toNanos();
      while (!slow.closedByServer() && System.nanoTime() < deadline) {
        slow.send("X-Slow: 1\r\n");
      }
      assertTrue(slow.closed(), "closed by the node");
    }
  }

  // ---- bodies, without credentials ----

  @Test
  void refusesOversizedBrokenAndStalledBodiesWithAtMostOneLogLineEach() throws Exception {
    long linesBefore = logLines().size();
    int requests = 0;
    for (String path : BODY_ENDPOINTS) {
      for (long length : List.of(1_000_000_000_000L, 9L << 20)) {
        try (RawHttp connection = new RawHttp(node.httpPort(), TIMEOUT.multipliedBy(4))) {
          connection.send(post(path, "application/json", "Content-Length: " + length) + "{");
          assertEquals(413, connection.status(), path + " Content-Length " + length);
        }
        requests++;
      }
      assertEquals(400, answerToBrokenChunk(path), path + " bad chunk size");
      requests++;
    }
    List<RawHttp> stalled = new ArrayList<>();
    for (String path : BODY_ENDPOINTS) {
      stalled.add(
          new RawHttp(node.httpPort(), Duration.ofSeconds(30))
              .send(post(path, "application/json", "Content-Length: 10") + "{\"a\""));
      requests++;
    }
    for (int i = 0; i < stalled.size(); i++) {
      try (RawHttp connection = stalled.get(i)) {
        assertEquals(408, connection.status(), BODY_ENDPOINTS.get(i) + " stalled body");
      }
    }

    List<String> added = logLines().subList((int) linesBefore, logLines().size());
    assertTrue(
        added.size() <= requests, requests + " requests logged:\n" + String.join("\n", added));
    assertTrue(
        added.stream().noneMatch(line -> line.stripLeading().startsWith("at ")),
        "a stack trace:\n" + String.join("\n", added));
    assertTrue(node.isReady());
  }

  /**
   * Sends the body once the route reads it ({@code Expect: 100-continue}), so that it reaches the
   * body reader; when the node's close after its answer overtakes the answer (a reset), again.
   */
  private static int answerToBrokenChunk(String path) throws IOException {
    for (int attempt = 0; attempt < 10; attempt++) {
      try (RawHttp connection = new RawHttp(node.httpPort(), TIMEOUT.multipliedBy(4))) {
        connection.send(
            post(path, "application/json", "Expect: 100-continue\r\nTransfer-Encoding: chunked"));
        int first = connection.status();
        if (first != 100) {
          return first;
        }
        while (!connection.statusLine().isEmpty()) {
          // the interim answer's headers
        }
        return connection.send("zz\r\n{}\r\n0\r\n\r\n").status();
      } catch (SocketException reset) {
        // again
      }
    }
    throw new AssertionError("reset before every answer");
  }

  // ---- content types ----

  @Test
  void refusesAnUnparseableContentTypeOnEveryEventEndpoint() throws Exception {
    List<String> paths = new ArrayList<>(BODY_ENDPOINTS);
    paths.add("/api/v0002/device/types/t/devices/d/events/e");
    for (String path : paths) {
      try (RawHttp connection = new RawHttp(node.httpPort(), TIMEOUT.multipliedBy(4))) {
        connection.send(post(path, ";;;", "Content-Length: 2") + "{}");
        assertEquals(415, connection.status(), path);
      }
    }
  }

  private static String post(String path, String contentType, String framing) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: acme.localhost\r\nContent-Type: "
        + contentType
        + "\r\n"
        + framing
        + "\r\n\r\n";
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  }

  private static int ready(InetAddress from) throws IOException {
    try (RawHttp connection = new RawHttp(node.httpPort(), from, TIMEOUT)) {
      return connection.send(get("/health/ready")).status();
    }
  }

  private static List<String> logLines() throws IOException {
    return Files.readAllLines(node.log(), StandardCharsets.UTF_8);
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
