package io.entwine.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.http.JUnit5RouteTest;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The metrics endpoint, with the text the node would produce passed in. */
class MetricsRoutesTest extends JUnit5RouteTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("MetricsRoutesTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  MetricsRoutesTest() {
    super(testKit.system());
  }

  @Test
  void servesTheMetricsAsPrometheusTextVersion004() {
    String text = "# TYPE entwine_mqtt_connections gauge\nentwine_mqtt_connections 3\n";
    TestRouteResult result =
        testRoute(
                new MetricsRoutes(() -> Optional.of(CompletableFuture.completedFuture(text)))
                    .route())
            .run(HttpRequest.GET("/metrics"));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(
        "text/plain; version=0.0.4; charset=UTF-8", result.entity().getContentType().toString());
    assertEquals(text, result.entityString());
  }

  @Test
  void isUnavailableWhileTheNodeIsStarting() {
    TestRouteResult result =
        testRoute(new MetricsRoutes(Optional::empty).route()).run(HttpRequest.GET("/metrics"));

    assertEquals(StatusCodes.SERVICE_UNAVAILABLE, result.status());
  }

  @Test
  void answersOnlyGet() {
    TestRouteResult result =
        testRoute(new MetricsRoutes(Optional::empty).route()).run(HttpRequest.POST("/metrics"));

    assertEquals(StatusCodes.METHOD_NOT_ALLOWED, result.status());
  }
}
