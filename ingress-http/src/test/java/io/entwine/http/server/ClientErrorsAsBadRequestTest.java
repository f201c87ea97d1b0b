package io.entwine.http.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests the HTTP parser cannot read are the client's error: a 400 naming the problem, never the
 * 501/505 Pekko's default gives some of them (found by the fuzz campaign, FuzzIT). Sent over a raw
 * socket to a server bound with the module's configuration, since no client library sends them.
 */
class ClientErrorsAsBadRequestTest {
  private static ActorTestKit testKit;
  private static ServerBinding binding;

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("ClientErrorsAsBadRequestTest");
    binding =
        Http.get(testKit.system())
            .newServerAt("127.0.0.1", 0)
            .bind(Directives.complete("ok"))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void unbind() {
    testKit.shutdownTestKit();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
        "GET /a /b HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\r\nHost: x\r\r\n\r\r\n",
        "FOO / HTTP/1.1\r\nHost: x\r\n\r\n",
        "G(ET / HTTP/1.1\r\nHost: x\r\n\r\n",
        " / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc"
      })
  void unreadableRequestsAreBadRequests(String request) throws IOException {
    String answer = send(request);

    assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.0\r\nHost: x\r\n\r\n"})
  void readableRequestsAreServed(String request) throws IOException {
    String answer = send(request);

    assertTrue(answer.matches("(?s)HTTP/1\\.[01] 200 OK\r\n.*"), answer);
  }

  private static String send(String request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", binding.localAddress().getPort()), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
