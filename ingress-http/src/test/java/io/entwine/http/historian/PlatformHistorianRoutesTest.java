package io.entwine.http.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.historian.HistorianCursors;
import io.entwine.historian.HistoricalEvent;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.http.common.Authentication;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.identity.DeviceKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** IBM's v0002 historical event retrieval over a historian in memory. */
class PlatformHistorianRoutesTest extends ApiRouteTest {
  private static final String HISTORIAN = "/api/v0002/historian";
  private static final long T0 = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();

  private final InMemoryHistorian historian = new InMemoryHistorian();
  private final TestRoute historianApi;

  PlatformHistorianRoutesTest(TestCluster cluster) {
    super(cluster);
    historianApi =
        testRoute(
            new EntwineRoutes(
                    new PlatformHistorianRoutes(
                            new Authentication(cluster.gateway(), SETTINGS),
                            historian,
                            new HistorianCursors(
                                new byte[32], Duration.ofHours(1), Clock.systemUTC()))
                        .route())
                .route());
  }

  @Test
  void answersEventsInIbmsV0002ShapeInEveryScope() {
    ApiKey key = organizationWithApiKey("hist2");
    DeviceKey pi = new DeviceKey(key.org(), "pi", "a1");
    historian.add(json(pi, "status", T0, 1, "{\"d\":{\"t\":1}}"));
    historian.add(json(new DeviceKey(key.org(), "mbed", "b2"), "status", T0 + 1, 1, "{}"));
    historian.add(json(new DeviceKey("elsewhere", "pi", "a1"), "status", T0 + 2, 1, "{}"));

    JsonNode organization = body(get(key, HISTORIAN));
    JsonNode type = body(get(key, HISTORIAN + "/types/pi"));
    JsonNode device = body(get(key, HISTORIAN + "/types/pi/devices/a1"));

    assertEquals(2, organization.get("events").size(), organization.toString());
    assertEquals(
        parse(
            "{\"events\":[{\"device_type\":\"pi\",\"device_id\":\"a1\",\"evt_type\":\"status\","
                + "\"timestamp\":\"2026-11-23T10:00:00Z\",\"evt\":{\"d\":{\"t\":1}}}]}"),
        device);
    assertEquals(device, type);
    assertFalse(organization.has("bookmark"), "no more events, no bookmark");
  }

  @Test
  void pagesWithTheBookmarkUntilItIsAbsent() {
    ApiKey key = organizationWithApiKey("hist2");
    DeviceKey pi = new DeviceKey(key.org(), "pi", "a1");
    for (int i = 0; i < 5; i++) {
      historian.add(json(pi, "status", T0 + i, i, "{\"n\":" + i + "}"));
    }

    List<Integer> seen = new ArrayList<>();
    String bookmark = null;
    int pages = 0;
    do {
      String uri =
          HISTORIAN
              + "/types/pi/devices/a1?top=2&evt_type=status"
              + (bookmark == null
                  ? ""
                  : "&_bookmark=" + URLEncoder.encode(bookmark, StandardCharsets.UTF_8));
      JsonNode page = body(get(key, uri));
      page.get("events").forEach(event -> seen.add(event.get("evt").get("n").asInt()));
      bookmark = page.has("bookmark") ? page.get("bookmark").asText() : null;
      pages++;
    } while (bookmark != null && pages < 10);

    assertEquals(List.of(4, 3, 2, 1, 0), seen);
    assertEquals(3, pages);
  }

  @Test
  void refusesForeignTamperedAndMismatchedBookmarksWith400() {
    ApiKey key = organizationWithApiKey("hist2");
    ApiKey other = organizationWithApiKey("hist2");
    for (int i = 0; i < 3; i++) {
      historian.add(json(new DeviceKey(key.org(), "pi", "a1"), "status", T0 + i, i, "{}"));
    }
    String bookmark = body(get(key, HISTORIAN + "/types/pi?top=1")).get("bookmark").asText();
    String encoded = URLEncoder.encode(bookmark, StandardCharsets.UTF_8);

    assertError(get(other, HISTORIAN + "/types/pi?_bookmark=" + encoded), "organization");
    assertError(get(key, HISTORIAN + "/types/pi?_bookmark=x" + encoded), "_bookmark");
    assertError(get(key, HISTORIAN + "?_bookmark=" + encoded), "historian path");
    assertError(get(key, HISTORIAN + "/types/pi?evt_type=power&_bookmark=" + encoded), "_bookmark");
    assertError(get(key, HISTORIAN + "?top=0"), "top");
    assertError(get(key, HISTORIAN + "/types/bad%20type"), "device type");
    assertEquals(
        StatusCodes.OK,
        get(key, HISTORIAN + "/types/pi?top=1&_bookmark=" + encoded).status(),
        "the same query goes on");
  }

  @Test
  void summarizesLikeTheV0001Historian() {
    ApiKey key = organizationWithApiKey("hist2");
    historian.add(json(new DeviceKey(key.org(), "pi", "a1"), "status", T0, 1, "{\"t\":2}"));

    TestRouteResult result = get(key, HISTORIAN + "/types/pi?summarize=%7Bt%7D&summarize_type=max");

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    assertEquals("max", body(result).get("summarize_type").asText());
    assertEquals("pi", body(result).get("device_type").asText());
  }

  @Test
  void refusesCallersWithoutAnApiKey() {
    TestRouteResult result = historianApi.run(HttpRequest.GET(HISTORIAN));

    assertEquals(StatusCodes.UNAUTHORIZED, result.status());
  }

  private void assertError(TestRouteResult result, String messagePart) {
    assertEquals(StatusCodes.BAD_REQUEST, result.status(), result.entityString());
    String message = body(result).get("message").asText();
    assertTrue(message.contains(messagePart), message + " should contain " + messagePart);
  }

  private TestRouteResult get(ApiKey key, String uri) {
    return historianApi.run(
        toOrg(key.org(), HttpRequest.GET(uri))
            .addCredentials(HttpCredentials.createBasicHttpCredentials(key.key(), key.token())));
  }

  private static HistoricalEvent json(
      DeviceKey device, String evtType, long timestamp, long seqNr, String json) {
    return new HistoricalEvent(
        device, evtType, timestamp, seqNr, "json", json.getBytes(StandardCharsets.UTF_8));
  }
}
