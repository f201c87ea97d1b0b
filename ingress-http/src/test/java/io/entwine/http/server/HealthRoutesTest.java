package io.entwine.http.server;

import static io.entwine.http.ApiRouteTest.assertError;
import static io.entwine.http.ApiRouteTest.body;
import static io.entwine.http.ApiRouteTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.http.JUnit5RouteTest;
import io.entwine.http.server.HealthRoutes.Check;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Liveness and readiness, with the checks the node would pass in. */
class HealthRoutesTest extends JUnit5RouteTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("HealthRoutesTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  HealthRoutesTest() {
    super(testKit.system());
  }

  @Test
  void answersAliveWithoutConsultingTheChecks() {
    TestRouteResult result =
        health(new Check("cassandra", () -> CompletableFuture.completedFuture(false)))
            .run(HttpRequest.GET("/health/alive"));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(parse("{\"status\":\"UP\",\"checks\":{}}"), body(result));
  }

  @Test
  void isReadyWhenEveryCheckPasses() {
    TestRouteResult result =
        health(
                new Check("cassandra", () -> CompletableFuture.completedFuture(true)),
                new Check("cluster", () -> CompletableFuture.supplyAsync(() -> true)))
            .run(HttpRequest.GET("/health/ready"));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(
        parse("{\"status\":\"UP\",\"checks\":{\"cassandra\":\"UP\",\"cluster\":\"UP\"}}"),
        body(result));
  }

  @Test
  void isNotReadyWhenACheckFails() {
    TestRouteResult result =
        health(
                new Check("cassandra", () -> CompletableFuture.completedFuture(false)),
                new Check("cluster", () -> CompletableFuture.completedFuture(true)))
            .run(HttpRequest.GET("/health/ready"));

    assertEquals(StatusCodes.SERVICE_UNAVAILABLE, result.status());
    assertEquals(
        parse("{\"status\":\"DOWN\",\"checks\":{\"cassandra\":\"DOWN\",\"cluster\":\"UP\"}}"),
        body(result));
  }

  @Test
  void countsAThrowingOrFailingCheckAsDown() {
    TestRouteResult result =
        health(
                new Check(
                    "throws",
                    () -> {
                      throw new IllegalStateException("no session");
                    }),
                new Check(
                    "fails",
                    () -> CompletableFuture.failedFuture(new IllegalStateException("no node"))),
                new Check("http", () -> CompletableFuture.completedFuture(true)))
            .run(HttpRequest.GET("/health/ready"));

    assertEquals(StatusCodes.SERVICE_UNAVAILABLE, result.status());
    assertEquals(
        parse(
            "{\"status\":\"DOWN\",\"checks\":{\"throws\":\"DOWN\",\"fails\":\"DOWN\","
                + "\"http\":\"UP\"}}"),
        body(result));
  }

  @Test
  void countsACheckThatNeverAnswersAsDownAfterTheProbeTimeout() {
    long start = System.nanoTime();

    TestRouteResult result =
        health(
                new Check("http", CompletableFuture::new),
                new Check("cluster", () -> CompletableFuture.completedFuture(true)))
            .run(HttpRequest.GET("/health/ready"));

    assertEquals(StatusCodes.SERVICE_UNAVAILABLE, result.status());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(
        parse("{\"status\":\"DOWN\",\"checks\":{\"http\":\"DOWN\",\"cluster\":\"UP\"}}"),
        body(result));
    assertTrue(took.compareTo(Duration.ofMillis(2900)) >= 0, "waited the probe timeout: " + took);
  }

  @Test
  void becomesReadyWhenASlowCheckAnswersAfterAProbeTimedOut() {
    // A check may hand out one shared future, as the node does for "the server is bound".
    CompletableFuture<Boolean> bound = new CompletableFuture<>();
    TestRoute route = health(new Check("http", () -> bound));
    assertEquals(
        StatusCodes.SERVICE_UNAVAILABLE, route.run(HttpRequest.GET("/health/ready")).status());

    bound.complete(true);
    TestRouteResult later = route.run(HttpRequest.GET("/health/ready"));

    assertEquals(StatusCodes.OK, later.status(), later.entityString());
    assertEquals(parse("{\"status\":\"UP\",\"checks\":{\"http\":\"UP\"}}"), body(later));
  }

  @Test
  void isReadyWithoutChecks() {
    TestRouteResult result = health().run(HttpRequest.GET("/health/ready"));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(parse("{\"status\":\"UP\",\"checks\":{}}"), body(result));
  }

  @Test
  void answersOnlyGet() {
    assertError(
        health().run(HttpRequest.POST("/health/ready")),
        StatusCodes.METHOD_NOT_ALLOWED,
        "supported methods: GET");
  }

  private TestRoute health(Check... checks) {
    return testRoute(new EntwineRoutes(new HealthRoutes(List.of(checks)).route()).route());
  }
}
