package io.entwine.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.http.JUnit5RouteTest;
import io.entwine.http.server.EntwineRoutes;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files come from the jar, with headers that keep foreign scripts and frames out. */
class ConsoleRoutesTest extends JUnit5RouteTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("ConsoleRoutesTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  ConsoleRoutesTest() {
    super(testKit.system());
  }

  private TestRoute console() {
    return testRoute(new EntwineRoutes(new ConsoleRoutes().route()).route());
  }

  @Test
  void redirectsTheBarePathToTheIndex() {
    TestRouteResult result = console().run(HttpRequest.GET("/console"));

    assertEquals(StatusCodes.MOVED_PERMANENTLY, result.status());
    assertEquals("/console/", result.response().getHeader("Location").orElseThrow().value());
  }

  @Test
  void redirectsOnlyAGet() {
    TestRouteResult result = console().run(HttpRequest.POST("/console"));

    assertEquals(StatusCodes.METHOD_NOT_ALLOWED, result.status());
  }

  @Test
  void servesTheIndexWithASameOriginContentSecurityPolicy() {
    TestRouteResult result = console().run(HttpRequest.GET("/console/"));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(
        "text/html; charset=UTF-8", result.response().entity().getContentType().toString());
    assertTrue(result.entityString().contains("/console/js/app.js"));
    String policy = result.response().getHeader("Content-Security-Policy").orElseThrow().value();
    assertTrue(policy.startsWith("default-src 'self'"), policy);
    assertEquals("DENY", result.response().getHeader("X-Frame-Options").orElseThrow().value());
  }

  @Test
  void servesItsModulesAndTheChartLibraryFromTheJars() {
    TestRouteResult app = console().run(HttpRequest.GET("/console/js/app.js"));
    TestRouteResult chart = console().run(HttpRequest.GET("/console/lib/uplot/uPlot.esm.js"));

    assertEquals(StatusCodes.OK, app.status());
    assertTrue(app.response().entity().getContentType().toString().contains("javascript"));
    assertEquals(StatusCodes.OK, chart.status());
    assertTrue(chart.entityString().contains("export { uPlot as default }"));
  }

  @Test
  void answersNotFoundForFilesItDoesNotHaveAndForPathsOutOfItsDirectory() {
    assertEquals(
        StatusCodes.NOT_FOUND, console().run(HttpRequest.GET("/console/js/nope.js")).status());
    assertEquals(
        StatusCodes.NOT_FOUND,
        console().run(HttpRequest.GET("/console/..%2F..%2Flogback.xml")).status());
    assertEquals(
        StatusCodes.NOT_FOUND,
        console().run(HttpRequest.GET("/console/lib/uplot/../../LICENSE")).status());
  }
}
