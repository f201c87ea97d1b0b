package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's device set-up against a stub of the node's API that sheds load the way a busy
 * node does: the first attempt of every creation is answered 503 (defect 15: one such answer used
 * to abort the whole set-up).
 */
class DeviceSetupTest {
  static {
    // as DeviceSetup.main does, before any test of this JVM makes the JDK client read it
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final AtomicInteger registered = new AtomicInteger();
  private HttpServer stub;

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext("/", this::answer);
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    if (seen.add(path + " " + body)) {
      exchange.sendResponseHeaders(503, -1);
    } else if (path.endsWith("/apikeys")) {
      byte[] key = "{\"key\":\"a-bench-k\",\"token\":\"t0k\"}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(201, key.length);
      exchange.getResponseBody().write(key);
    } else {
      if (path.equals("/api/v0001/devices")) {
        registered.incrementAndGet();
      }
      exchange.sendResponseHeaders(201, -1);
    }
    exchange.close();
  }

  @Test
  void registrationRidesOutServiceUnavailableAnswers() throws Exception {
    DeviceSetup.main(
        new String[] {
          "register",
          "--http",
          Integer.toString(stub.getAddress().getPort()),
          "--operator-token",
          "op",
          "--org",
          "bench",
          "--devices",
          "20",
          "--concurrency",
          "4"
        });

    assertEquals(20, registered.get());
  }
}
