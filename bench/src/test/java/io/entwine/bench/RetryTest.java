package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The set-up's retry policy against a local stub server that answers from a script. */
class RetryTest {
  static {
    // DeviceSetup's requests set Host; the JDK client reads this once, whichever test runs first
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  private static final Retry.Policy FAST =
      new Retry.Policy(4, Duration.ofMillis(1), Duration.ofMillis(5));

  private final Deque<Integer> script = new ConcurrentLinkedDeque<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> retried = new ArrayList<>();
  private HttpServer stub;

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          Integer status = script.poll();
          int answer = status == null ? 200 : status;
          if (answer == 429) {
            exchange.getResponseHeaders().add("Retry-After", "0");
          }
          exchange.sendResponseHeaders(answer, -1);
          exchange.close();
        });
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  private Retry retry(Retry.Policy policy) {
    return new Retry(
        HttpClient.newHttpClient(),
        policy,
        new Random(7),
        (attempt, reason, wait) -> {
          synchronized (retried) {
            retried.add(reason);
          }
        });
  }

  private HttpRequest request(int port) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();
  }

  @Test
  void serviceUnavailableAndTooManyRequestsAreTriedAgain() throws Exception {
    script.addAll(List.of(503, 429, 503, 201));

    Retry.Outcome outcome =
        retry(FAST).send(request(stub.getAddress().getPort())).get(10, TimeUnit.SECONDS);

    assertEquals(201, outcome.response().statusCode());
    assertEquals(4, outcome.attempts());
    assertEquals(4, requests.get());
    assertEquals(List.of("status 503", "status 429", "status 503"), retried);
  }

  @Test
  void givesUpAfterTheLastAttemptWithItsAnswer() throws Exception {
    script.addAll(List.of(503, 503, 503, 503, 503, 201));

    Retry.Outcome outcome =
        retry(FAST).send(request(stub.getAddress().getPort())).get(10, TimeUnit.SECONDS);

    assertEquals(503, outcome.response().statusCode());
    assertEquals(FAST.maxAttempts(), requests.get());
  }

  @Test
  void otherAnswersAreNotTriedAgain() throws Exception {
    for (int status : new int[] {400, 401, 404, 409, 500}) {
      script.add(status);
      requests.set(0);

      Retry.Outcome outcome =
          retry(FAST).send(request(stub.getAddress().getPort())).get(10, TimeUnit.SECONDS);

      assertEquals(status, outcome.response().statusCode());
      assertEquals(1, requests.get(), "requests for a " + status);
    }
  }

  @Test
  void aFailedConnectionIsTriedAgainThenReported() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    ExecutionException failure =
        assertThrows(
            ExecutionException.class,
            () -> retry(FAST).send(request(closedPort)).get(10, TimeUnit.SECONDS));

    assertInstanceOf(ConnectException.class, failure.getCause());
    assertEquals(FAST.maxAttempts() - 1, retried.size());
  }

  @Test
  void waitsGrowExponentiallyWithFullJitterUpToTheCap() {
    Retry.Policy policy = new Retry.Policy(10, Duration.ofMillis(100), Duration.ofSeconds(2));
    Random random = new Random(1);
    for (int failed = 1; failed <= 9; failed++) {
      long ceiling = Math.min(100L << (failed - 1), 2_000);
      long longest = 0;
      for (int i = 0; i < 2_000; i++) {
        long wait = policy.delay(failed, random).toMillis();
        assertTrue(wait >= 0 && wait <= ceiling, failed + ": " + wait + " > " + ceiling);
        longest = Math.max(longest, wait);
      }
      // full jitter: the whole window is used, up to its (growing, then capped) ceiling
      assertTrue(longest > ceiling * 9 / 10, failed + ": longest " + longest + " of " + ceiling);
    }
  }
}
