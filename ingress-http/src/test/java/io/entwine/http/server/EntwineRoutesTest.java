package io.entwine.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.credentials.SecretHasher;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.twin.TwinEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;
import scala.Option;

/** The one error policy: every refusal and failure is an IBM-style JSON error. */
class EntwineRoutesTest extends ApiRouteTest {
  private static final String SECRET_DETAIL = "connection string user=root password=hunter2";

  EntwineRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  // ---- pekko-http's own rejections, as JSON ----

  @Test
  void answersAnUnknownPathWith404Json() {
    for (String path : List.of("/nope", "/api/v0002/unknown", "/health/nope")) {
      assertError(
          api.run(HttpRequest.GET(path)),
          StatusCodes.NOT_FOUND,
          "The requested resource could not be found.");
    }
  }

  @Test
  void answersAWrongMethodWith405Json() {
    TestRouteResult result = api.run(HttpRequest.POST("/health/alive"));
    TestRouteResult events =
        api.run(HttpRequest.PUT("/api/v0002/device/types/t/devices/d/events/e"));

    assertError(
        result, StatusCodes.METHOD_NOT_ALLOWED, "HTTP method not allowed, supported methods: GET");
    assertEquals("GET", result.response().getHeader("Allow").map(HttpHeader::value).orElse(null));
    assertError(events, StatusCodes.METHOD_NOT_ALLOWED, "supported methods: POST, GET");
  }

  @Test
  void answersAWrongMethodOfAnAuthenticatedRouteWith405Json() {
    ApiKey key = organizationWithApiKey("er");

    TestRouteResult result = api.run(withApiKey(key, HttpRequest.PATCH(DEVICES + "/t/d")));

    assertError(result, StatusCodes.METHOD_NOT_ALLOWED, "supported methods: GET, PUT, DELETE");
  }

  // ---- failures ----

  @Test
  void mapsAnAskTimeoutTo503() {
    for (Throwable timeout :
        List.of(
            new AskTimeoutException("x"),
            new CompletionException(new AskTimeoutException("x")),
            new TimeoutException("x"))) {
      assertErrorResponse(
          EntwineRoutes.responseFor(timeout),
          StatusCodes.SERVICE_UNAVAILABLE,
          "Storage is unavailable or overloaded; retry later");
    }
  }

  @Test
  void mapsAFullSlowHashQueueTo503WithRetryAfter() {
    HttpResponse response =
        EntwineRoutes.responseFor(new CompletionException(refusalOfAFullQueue()));
    assertErrorResponse(
        response,
        StatusCodes.SERVICE_UNAVAILABLE,
        "Too many credential checks in progress on this node; retry later");
    assertEquals("1", response.getHeader("Retry-After").orElseThrow().value());
  }

  /** The queue's refusal, as a new API key or credential meets it. */
  private static Throwable refusalOfAFullQueue() {
    VerifiedSecrets full = new VerifiedSecrets(new SecretHasher(1), task -> {}, 1, 1, 1);
    full.hash("holds the only slot");
    return full.hash("refused").toCompletableFuture().handle((hash, failure) -> failure).join();
  }

  @Test
  void mapsAnEntityStreamSizeExceptionTo413() {
    assertErrorResponse(
        EntwineRoutes.responseFor(
            new EntityStreamSizeException(1000L, Option.<Object>apply(1001L))),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "The body is larger than the limit of 1000 bytes");
  }

  @Test
  void mapsAnUnexpectedFailureTo500WithoutItsMessage() {
    JsonNode body =
        assertErrorResponse(
            EntwineRoutes.responseFor(new IllegalStateException(SECRET_DETAIL)),
            StatusCodes.INTERNAL_SERVER_ERROR,
            "Internal error");
    assertFalse(body.toString().contains("hunter2"), body::toString);
  }

  @Test
  void mapsFailedRoutesThroughTheExceptionHandler() {
    TestRoute failing =
        testRoute(
            new EntwineRoutes(
                    path("thrown", () -> failWith(new IllegalStateException(SECRET_DETAIL))),
                    path(
                        "timed-out",
                        () ->
                            onSuccess(
                                CompletableFuture.failedFuture(new AskTimeoutException("slow")),
                                value -> complete("never"))),
                    path(
                        "too-large",
                        () -> failWith(new EntityStreamSizeException(10L, Option.<Object>empty()))))
                .route());

    TestRouteResult thrown = failing.run(HttpRequest.GET("/thrown"));
    assertError(thrown, StatusCodes.INTERNAL_SERVER_ERROR, "Internal error");
    assertFalse(thrown.entityString().contains("hunter2"), thrown.entityString());
    assertError(
        failing.run(HttpRequest.GET("/timed-out")), StatusCodes.SERVICE_UNAVAILABLE, "retry later");
    assertError(
        failing.run(HttpRequest.GET("/too-large")),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "limit of 10 bytes");
  }

  @Test
  void answers503AndAcknowledgesNothingWhenTheJournalFailsAnEvent() {
    ApiKey key = organizationWithApiKey("er");
    Device device = registerDevice(key, "t", "journal-down");
    TestRoute impatient = testRoute(routes(cluster.gateway(Duration.ofMillis(700))));
    cluster.journal().failNextPersisted(TestCluster.twinPersistenceId(device.key()));

    TestRouteResult published =
        impatient.run(
            asDevice(
                device, withJson(HttpRequest.POST(device.eventsPath() + "/status"), "{\"a\":1}")));

    assertError(
        published,
        StatusCodes.SERVICE_UNAVAILABLE,
        "Storage is unavailable or overloaded; retry later");
    assertTrue(
        cluster.twinEvents(device.key()).stream()
            .noneMatch(event -> event instanceof TwinEvent.EventRecorded),
        "nothing recorded");
    // Once the twin has restarted, the device may retry.
    assertEquals(
        StatusCodes.OK, publishJson(device, "status", "{\"a\":1}").status(), "retry succeeds");
  }

  @Test
  void answers503WhenTheJournalFailsAnOrganization() {
    String org = uniqueOrg("er");
    TestRoute impatient = testRoute(routes(cluster.gateway(Duration.ofMillis(700))));
    cluster.journal().failNextPersisted("Organization|" + org);

    TestRouteResult created =
        impatient.run(
            asOperator(
                withJson(
                    HttpRequest.POST(ORGANIZATIONS),
                    "{\"id\":\"" + org + "\",\"name\":\"Down\"}")));

    assertError(created, StatusCodes.SERVICE_UNAVAILABLE, "retry later");
    assertTrue(cluster.organizationEvents(org).isEmpty(), "nothing persisted");
  }

  // ---- helpers ----

  private JsonNode assertErrorResponse(HttpResponse response, StatusCode status, String message) {
    TestRouteResult result = testRoute(complete(response)).run(HttpRequest.GET("/"));
    JsonNode body = assertError(result, status, message);
    assertEquals(message, body.get("message").asText());
    return body;
  }
}
