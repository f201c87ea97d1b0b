package io.entwine.http.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.entwine.http.EdgeTestRoutes;
import io.entwine.http.RawHttp;
import io.entwine.metrics.Meters;
import io.micrometer.core.instrument.Gauge;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP listener against slow, greedy and malformed clients, over real sockets: slow request
 * heads are cut off, one address cannot take every connection, broken bodies get a precise 4xx and
 * a missing class a 503, and the listener keeps serving everyone else.
 */
class HttpEdgeTest {
  private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(3);
  private static final int PER_ADDRESS = 6;
  private static final Duration READ = Duration.ofSeconds(20);
  private static final String CHUNKED_HTTP_10 =
      "POST /events HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
  private static final String WEBSOCKET_UPGRADE =
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  private static ActorTestKit testKit;
  private static int port;

  @BeforeAll
  static void bind() throws Exception {
    testKit =
        ActorTestKit.create(
            "HttpEdgeTest",
            ConfigFactory.parseString(
                    """
                    pekko.jvm-exit-on-fatal-error = off
                    entwine.http.request-header-timeout = %ds
                    entwine.http.max-connections-per-address = %d
                    """
                        .formatted(HEADER_TIMEOUT.toSeconds(), PER_ADDRESS))
                .withFallback(ConfigFactory.load()));
    ServerBinding binding =
        HttpServer.start(
                testKit.system(),
                new HttpSettings("127.0.0.1", 0, "localhost", "token", 1024),
                new EntwineRoutes(new EdgeTestRoutes().route()).route())
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  // ---- slow and greedy clients (issue 23, defect 5) ----

  @Test
  void closesConnectionsTricklingTheirRequestHeadAndServesOthersMeanwhile() throws Exception {
    List<RawHttp> slow = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      slow.add(new RawHttp(port, Duration.ofMillis(200)).send("GET /ok HTTP/1.1\r\n"));
    }
    long deadline = System.nanoTime() + HEADER_TIMEOUT.multipliedBy(4).toNanos();
    List<RawHttp> closed = new ArrayList<>();
    int served = 0;
    while (closed.size() < slow.size() && System.nanoTime() < deadline) {
      for (RawHttp connection : slow) {
        if (!closed.contains(connection)) {
          if (connection.closedByServer()) {
            closed.add(connection);
          } else {
            connection.send("X-Slow: " + served + "\r\n");
          }
        }
      }
      assertEquals(200, getOk(), "another client, while slow ones are open");
      served++;
    }

    assertEquals(slow.size(), closed.size(), "slow connections closed by the server");
    assertTrue(served > 1, "requests served meanwhile: " + served);
    for (RawHttp connection : slow) {
      connection.close();
    }
  }

  @Test
  void closesConnectionsBeyondThePerAddressLimitAtOnce() throws Exception {
    awaitOpenConnections(0); // the server has seen the other tests' connections close
    List<RawHttp> open = new ArrayList<>();
    for (int i = 0; i < PER_ADDRESS; i++) {
      open.add(new RawHttp(port, READ));
    }
    // The server counts a connection once it has set up its stages, in no set order after the
    // client's connect returns: the one beyond the limit must come after these are counted.
    awaitOpenConnections(PER_ADDRESS);
    try (RawHttp extra = new RawHttp(port, HEADER_TIMEOUT.dividedBy(2))) {
      assertTrue(extra.closedByServer(), "a connection beyond the limit is closed at once");
      // the first ones were not: each still gets its answer
      for (RawHttp connection : open) {
        assertEquals(200, connection.send(request("GET", "/ok", "")).status());
      }
    } finally {
      for (RawHttp connection : open) {
        connection.close();
      }
    }
    assertEquals(200, getOk(), "once they are closed");
  }

  // ---- bodies (issue 23, defect 8) ----

  @Test
  void refusesADeclaredLengthOverTheLimitWithoutReadingTheBody() throws Exception {
    for (long length : List.of(1_000_000_000_000L, 9L << 20, EdgeTestRoutes.MAX_BODY_BYTES + 1L)) {
      try (RawHttp connection = new RawHttp(port, READ)) {
        connection.send(
            "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + length
                + "\r\n\r\n{");
        assertEquals(413, connection.status(), "Content-Length " + length);
      }
    }
  }

  @Test
  void refusesAChunkedBodyGrowingPastTheLimitWith413() throws Exception {
    String chunk = "x".repeat(EdgeTestRoutes.MAX_BODY_BYTES);
    int status =
        answerToBody(
            "Transfer-Encoding: chunked",
            Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n1\r\nx\r\n0\r\n\r\n");
    assertEquals(413, status);
  }

  /**
   * RFC 9112 section 6.1: an HTTP/1.0 request with a Transfer-Encoding has faulty framing.
   * pekko-http 1.3.0 alone answers 500 ({@link RequestFraming}, docs/adr/0047).
   */
  @Test
  void refusesAChunkedHttp10RequestWith400AndCloses() throws Exception {
    try (RawHttp connection = new RawHttp(port, READ)) {
      connection.send(CHUNKED_HTTP_10);

      String status = connection.statusLine();
      assertTrue(status.matches("HTTP/1\\.[01] 400 .*"), status);
      assertTrue(connection.rest().contains("chunked"), "the answer names the defect");
      assertTrue(connection.closedByServer());
    }
  }

  /** Keep-alive requests before it are answered in order; the refusal comes last. */
  @Test
  void answersPipelinedRequestsBeforeARefusedHttp10OneInOrder() throws Exception {
    try (RawHttp connection = new RawHttp(port, READ)) {
      String keepAlive =
          "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
              + "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n";
      connection.send(keepAlive + CHUNKED_HTTP_10 + "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n");

      assertEquals(new RawHttp.Response(200, false, ""), connection.read(false));
      assertEquals(new RawHttp.Response(200, false, ""), connection.read(false));
      assertEquals(400, connection.read(false).status());
      assertTrue(connection.closedByServer(), "nothing after the refused request is answered");
    }
  }

  /** A WebSocket upgrade the routes do not take leaves the connection HTTP, checked as before. */
  @Test
  void refusesAChunkedHttp10RequestAfterAnUpgradeTheRoutesDidNotTake() throws Exception {
    try (RawHttp connection = new RawHttp(port, READ)) {
      connection.send(
          "GET /ok HTTP/1.1\r\nHost: localhost\r\n" + WEBSOCKET_UPGRADE + "\r\n" + CHUNKED_HTTP_10);

      assertEquals(new RawHttp.Response(200, false, ""), connection.read(false));
      assertEquals(400, connection.read(false).status());
      assertTrue(connection.closedByServer());
    }
  }

  /**
   * After the routes' 101 the bytes are WebSocket frames, passed unchanged even when they read like
   * a refused HTTP/1.0 request: a frame masked with a zero key carries its text as it is.
   */
  @Test
  void passesWebSocketFramesUnchangedAfterTheUpgrade() throws Exception {
    try (RawHttp connection = new RawHttp(port, READ)) {
      connection.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n" + WEBSOCKET_UPGRADE + "\r\n");
      assertTrue(connection.statusLine().startsWith("HTTP/1.1 101 "));
      connection.skipHeaders();

      byte[] text = "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(US_ASCII);
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x81); // final text frame
      frame.write(0x80 | text.length); // masked, as every client frame
      frame.write(new byte[4]); // the masking key
      frame.write(text);
      connection.write(frame.toByteArray());

      byte[] echoed = connection.readBytes(2 + text.length);
      assertEquals(0x81, echoed[0] & 0xff);
      assertEquals(text.length, echoed[1]);
      assertEquals(new String(text, US_ASCII), new String(echoed, 2, text.length, US_ASCII));
    }
  }

  @Test
  void refusesAnIllegalChunkSizeWith400() throws Exception {
    assertEquals(400, answerToBody("Transfer-Encoding: chunked", "zz\r\n{}\r\n0\r\n\r\n"));
  }

  /**
   * The answer to a POST whose body is sent once the route reads it ({@code Expect: 100-continue}),
   * so that it reaches the body reader, not the parser of the request head. The server closes the
   * connection after answering a body it did not read to the end; when that close overtakes the
   * answer (a reset, a race in the kernel), the request is sent again.
   */
  private static int answerToBody(String framing, String body) throws IOException {
    for (int attempt = 0; attempt < 10; attempt++) {
      try (RawHttp connection = new RawHttp(port, READ)) {
        connection.send(
            "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Expect: 100-continue\r\n"
                + framing
                + "\r\n\r\n");
        int first = connection.status();
        if (first != 100) {
          return first;
        }
        connection.skipHeaders();
        connection.send(body);
        return connection.status();
      } catch (SocketException reset) {
        // again
      }
    }
    throw new AssertionError("The connection was reset before every answer");
  }

  @Test
  void answersABodyThatStallsWith408() throws Exception {
    try (RawHttp connection = new RawHttp(port, READ)) {
      connection.send(
          "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Content-Length: 10\r\n\r\n{\"a\"");
      assertEquals(408, connection.status());
    }
  }

  @Test
  void readsABodyThatArrivesInPieces() throws Exception {
    try (RawHttp connection = new RawHttp(port, READ)) {
      connection.send(
          "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Content-Length: 7\r\n\r\n{\"a\"");
      connection.send(":1}");
      assertEquals(200, connection.status());
    }
  }

  // ---- content types (issue 23, defect 11) ----

  @Test
  void refusesAnUnparseableContentTypeWith415() throws Exception {
    for (String contentType : List.of(";;;", "/", "application/", "a b/c")) {
      try (RawHttp connection = new RawHttp(port, READ)) {
        connection.send(
            "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                + contentType
                + "\r\nContent-Length: 2\r\n\r\n{}");
        assertEquals(415, connection.status(), contentType);
      }
    }
  }

  // ---- a class missing from the classpath ----

  @Test
  void answersAMissingClassWith503AndKeepsServing() throws Exception {
    for (String path : List.of("/missing-class", "/missing-class-later")) {
      try (RawHttp connection = new RawHttp(port, READ)) {
        assertEquals(503, connection.send(request("GET", path, "")).status(), path);
      }
      assertEquals(200, getOk(), "after " + path);
    }
  }

  /** Waits until the listener's connection gauge shows {@code expected} open connections. */
  private static void awaitOpenConnections(int expected) {
    Gauge connections = Meters.registry(testKit.system()).get(HttpServer.CONNECTIONS).gauge();
    testKit
        .createTestProbe()
        .awaitAssert(
            READ,
            () -> {
              assertEquals(expected, (int) connections.value(), "open connections");
              return null;
            });
  }

  private static int getOk() throws IOException {
    try (RawHttp connection = new RawHttp(port, Duration.ofSeconds(5))) {
      return connection.send(request("GET", "/ok", "")).status();
    }
  }

  private static String request(String method, String path, String body) {
    return method
        + " "
        + path
        + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }
}
