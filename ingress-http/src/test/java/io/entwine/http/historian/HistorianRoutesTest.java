package io.entwine.http.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.historian.HistorianCursors;
import io.entwine.historian.HistoricalEvent;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.http.admin.ProjectionRoutes;
import io.entwine.http.common.Authentication;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.identity.DeviceKey;
import io.entwine.projection.SliceLag;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Cookie;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * IBM's Historical Event API v0001 (IBM IoT Foundation documentation, 3.2) over a historian in
 * memory.
 */
class HistorianRoutesTest extends ApiRouteTest {
  private static final String HISTORIAN = "/api/v0001/historian";
  private static final long T0 = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();

  private final InMemoryHistorian historian = new InMemoryHistorian();
  private final HistorianCursors cursors =
      new HistorianCursors(new byte[32], Duration.ofHours(1), Clock.systemUTC());
  private final TestRoute historianApi;

  HistorianRoutesTest(TestCluster cluster) {
    super(cluster);
    Authentication authentication = new Authentication(cluster.gateway(), SETTINGS);
    List<SliceLag> lags =
        List.of(
            new SliceLag("historian", "twin-0", Instant.ofEpochMilli(T0), null, null, 0L),
            new SliceLag(
                "historian",
                "twin-1",
                Instant.ofEpochMilli(T0),
                Instant.ofEpochMilli(T0 + 5),
                Instant.ofEpochMilli(T0 + 2500),
                2500L));
    historianApi =
        testRoute(
            new EntwineRoutes(
                    new HistorianRoutes(authentication, historian, cursors).route(),
                    new ProjectionRoutes(
                            authentication, () -> CompletableFuture.completedFuture(lags))
                        .route())
                .route());
  }

  // ---- records ----

  @Test
  void listsTheOrganizationsEventsNewestFirstInIbmsShape() {
    ApiKey key = organizationWithApiKey("hist");
    DeviceKey pi = new DeviceKey(key.org(), "my-device-type", "device0001");
    historian.add(json(pi, "sensor-event", T0, 1, "{\"sensor1\":76,\"sensor3\":79.98}"));
    historian.add(json(pi, "sensor-event", T0 + 1000, 2, "{\"d\":{\"sensor1\":77}}"));
    historian.add(json(new DeviceKey("other1", "t", "d"), "sensor-event", T0, 1, "{}"));

    TestRouteResult result = get(key, HISTORIAN, null);

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    assertEquals(
        parse(
            "[{\"device_id\":\"d:"
                + key.org()
                + ":my-device-type:device0001\",\"device_type\":\"my-device-type\","
                + "\"evt_type\":\"sensor-event\",\"timestamp\":{\"$date\":"
                + (T0 + 1000)
                + "},\"evt\":{\"d\":{\"sensor1\":77}}},"
                + "{\"device_id\":\"d:"
                + key.org()
                + ":my-device-type:device0001\",\"device_type\":\"my-device-type\","
                + "\"evt_type\":\"sensor-event\",\"timestamp\":{\"$date\":"
                + T0
                + "},\"evt\":{\"sensor1\":76,\"sensor3\":79.98}}]"),
        body(result));
    assertEquals(100, historian.lastQuery.top());
    assertTrue(cookie(result).isPresent(), "an iotHistorianSessionId cookie");
    assertTrue(result.response().getHeader(HistorianRoutes.CURSOR_HEADER).isEmpty());
  }

  @Test
  void aDeviceTypeOmitsTheTypeAndADeviceOmitsTheDevice() {
    ApiKey key = organizationWithApiKey("hist");
    DeviceKey pi = new DeviceKey(key.org(), "pi", "a1");
    historian.add(json(pi, "status", T0, 1, "{\"t\":1}"));
    historian.add(json(new DeviceKey(key.org(), "pi", "b2"), "status", T0 + 1, 1, "{\"t\":2}"));
    historian.add(json(new DeviceKey(key.org(), "mbed", "a1"), "status", T0 + 2, 1, "{\"t\":3}"));

    JsonNode type = body(get(key, HISTORIAN + "/pi", null));
    JsonNode device = body(get(key, HISTORIAN + "/pi/a1/", null));

    assertEquals(2, type.size());
    assertEquals("d:" + key.org() + ":pi:b2", type.get(0).get("device_id").asText());
    assertFalse(type.get(0).has("device_type"));
    assertEquals(
        parse("[{\"evt_type\":\"status\",\"timestamp\":{\"$date\":" + T0 + "},\"evt\":{\"t\":1}}]"),
        device);
  }

  @Test
  void showsOtherFormatsBase64EncodedWithTheirFormat() {
    ApiKey key = organizationWithApiKey("hist");
    DeviceKey pi = new DeviceKey(key.org(), "pi", "a1");
    historian.add(
        new HistoricalEvent(pi, "log", T0, 1, "text", "hello".getBytes(StandardCharsets.UTF_8)));

    JsonNode record = body(get(key, HISTORIAN + "/pi/a1", null)).get(0);

    assertEquals(
        Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)),
        record.get("evt").asText());
    assertEquals("text", record.get("format").asText());
  }

  @Test
  void storedPayloadsThatAreNotPlainUtf8JsonNeverMakeTheAnswerInvalidJson() {
    ApiKey key = organizationWithApiKey("hist");
    DeviceKey pi = new DeviceKey(key.org(), "pi", "a1");
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] utf16 = "{\"t\": 2}".getBytes(StandardCharsets.UTF_16);
    byte[] withBom = java.util.Arrays.copyOf(bom, 3 + 8);
    System.arraycopy("{\"t\": 1}".getBytes(StandardCharsets.UTF_8), 0, withBom, 3, 8);
    byte[] notJson = "{\"t\": ".getBytes(StandardCharsets.UTF_8);
    historian.add(new HistoricalEvent(pi, "bom", T0 + 3, 1, "json", withBom));
    historian.add(new HistoricalEvent(pi, "utf16", T0 + 2, 2, "json", utf16));
    historian.add(new HistoricalEvent(pi, "broken", T0 + 1, 3, "json", notJson));

    TestRouteResult result = get(key, HISTORIAN + "/pi/a1", null);

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    JsonNode records = body(result);
    assertEquals(1, records.get(0).get("evt").get("t").asInt(), records.toString());
    assertEquals(2, records.get(1).get("evt").get("t").asInt(), records.toString());
    assertEquals(Base64.getEncoder().encodeToString(notJson), records.get(2).get("evt").asText());
    assertEquals("json", records.get(2).get("format").asText());
  }

  // ---- parameters ----

  @Test
  void passesEvtTypeStartEndAndTopToTheQuery() {
    ApiKey key = organizationWithApiKey("hist");

    TestRouteResult result =
        get(key, HISTORIAN + "/pi?evt_type=status&start=1000&end=2000&top=7", null);

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    assertEquals("status", historian.lastQuery.evtType());
    assertEquals(1000, historian.lastQuery.start());
    assertEquals(2000, historian.lastQuery.end());
    assertEquals(7, historian.lastQuery.top());
    assertEquals("pi", historian.lastQuery.scope().type());
    assertNull(historian.lastQuery.scope().id());
  }

  @Test
  void refusesInvalidParametersWith400() {
    ApiKey key = organizationWithApiKey("hist");
    for (String query :
        List.of(
            "top=0",
            "top=101",
            "top=abc",
            "top=1.5",
            "top=",
            "start=yesterday",
            "end=1e3",
            "start=2000&end=1000",
            "evt_type=bad%20type",
            "summarize_type=avg",
            "summarize={temp}&summarize_type=median",
            "summarize={temp",
            "summarize={temp,,hum}",
            "summarize={}")) {
      TestRouteResult result = get(key, HISTORIAN + "/pi?" + query, null);
      assertEquals(StatusCodes.BAD_REQUEST, result.status(), query + ": " + result.entityString());
      assertEquals(400, body(result).get("rc").asInt());
    }
    assertError(
        get(key, HISTORIAN + "?summarize={temp}", null), StatusCodes.BAD_REQUEST, "device type");
    assertError(get(key, HISTORIAN + "/bad%20type", null), StatusCodes.BAD_REQUEST, "device type");
  }

  @Test
  void needsAnApiKeyOfTheAddressedOrganization() {
    ApiKey key = organizationWithApiKey("hist");
    ApiKey other = organizationWithApiKey("hist");

    assertUnauthorized(
        historianApi.run(toOrg(key.org(), HttpRequest.GET(HISTORIAN))), "Basic", "HTTP Basic");
    TestRouteResult foreign =
        historianApi.run(
            toOrg(key.org(), HttpRequest.GET(HISTORIAN))
                .addCredentials(basic(other.key(), other.token())));
    assertError(foreign, StatusCodes.FORBIDDEN, "does not belong");
  }

  // ---- paging ----

  @Test
  void pagesThroughEveryEventOnceWithTheCursor() {
    ApiKey key = organizationWithApiKey("hist");
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      // pairs of events share a timestamp: ties are ordered by device and sequence number
      DeviceKey device = new DeviceKey(key.org(), "pi", "d" + (i % 3));
      historian.add(json(device, "status", T0 + (i / 2) * 1000L, i, "{\"n\":" + i + "}"));
      expected.add((long) i);
    }

    List<Long> seen = new ArrayList<>();
    Set<Long> distinct = new HashSet<>();
    String cursor = null;
    String cookie = null;
    int pages = 0;
    do {
      TestRouteResult result = get(key, HISTORIAN + "/pi?top=100", cursor, cookie);
      assertEquals(StatusCodes.OK, result.status(), result.entityString());
      for (JsonNode record : body(result)) {
        long n = record.get("evt").get("n").asLong();
        seen.add(n);
        distinct.add(n);
      }
      cursor =
          result
              .response()
              .getHeader(HistorianRoutes.CURSOR_HEADER)
              .map(HttpHeader::value)
              .orElse(null);
      cookie = cookie(result).orElse(cookie);
      pages++;
    } while (cursor != null);

    assertEquals(3, pages);
    assertEquals(250, seen.size());
    assertEquals(new HashSet<>(expected), distinct);
    long previous = Long.MAX_VALUE;
    for (long n : seen) {
      assertTrue(n / 2 <= previous, "newest first");
      previous = n / 2;
    }
  }

  @Test
  void refusesCursorsWithoutTheirCookieForgedOrOfAnotherOrganization() {
    ApiKey key = organizationWithApiKey("hist");
    ApiKey other = organizationWithApiKey("hist");
    for (int i = 0; i < 3; i++) {
      historian.add(json(new DeviceKey(key.org(), "pi", "a"), "status", T0 + i, i + 1, "{}"));
      historian.add(json(new DeviceKey(other.org(), "pi", "a"), "status", T0 + i, i + 1, "{}"));
    }
    TestRouteResult first = get(key, HISTORIAN + "/pi?top=1", null);
    String cursor = first.response().getHeader(HistorianRoutes.CURSOR_HEADER).orElseThrow().value();
    String cookie = cookie(first).orElseThrow();
    TestRouteResult otherFirst = get(other, HISTORIAN + "/pi?top=1", null);
    String otherCookie = cookie(otherFirst).orElseThrow();

    assertEquals(StatusCodes.OK, get(key, HISTORIAN + "/pi?top=1", cursor, cookie).status());
    assertError(get(key, HISTORIAN + "/pi?top=1", cursor, null), StatusCodes.BAD_REQUEST, "cookie");
    assertError(
        get(key, HISTORIAN + "/pi?top=1", "x" + cursor, cookie),
        StatusCodes.BAD_REQUEST,
        "Invalid cursorId");
    assertError(
        get(other, HISTORIAN + "/pi?top=1", cursor, otherCookie),
        StatusCodes.BAD_REQUEST,
        "another organization");
    assertError(
        get(other, HISTORIAN + "/pi?top=1", cursor, cookie),
        StatusCodes.BAD_REQUEST,
        "another organization");
    assertError(
        get(key, HISTORIAN + "/mbed?top=1", cursor, cookie),
        StatusCodes.BAD_REQUEST,
        "another historian path");
    assertError(
        get(key, HISTORIAN + "/pi?top=1&evt_type=power", cursor, cookie),
        StatusCodes.BAD_REQUEST,
        "differ");
  }

  // ---- summaries ----

  @Test
  void summarizesTheRequestedFieldsWithTheRequestedType() {
    ApiKey key = organizationWithApiKey("hist");
    DeviceKey pi = new DeviceKey(key.org(), "pi", "a1");
    historian.add(json(pi, "status", T0, 1, "{\"d\":{\"temp\":20,\"network\":{\"up\":1.5}}}"));
    historian.add(json(pi, "status", T0 + 1, 2, "{\"d\":{\"temp\":23,\"network\":{\"up\":0.5}}}"));
    historian.add(json(pi, "power", T0 + 2, 3, "{\"d\":{\"temp\":99}}"));

    TestRouteResult max =
        get(
            key,
            HISTORIAN
                + "/pi/a1?evt_type=status&start="
                + T0
                + "&summarize=%7Btemp,network.up,missing%7D&summarize_type=max",
            null);
    TestRouteResult avg = get(key, HISTORIAN + "/pi?summarize={temp}", null);
    TestRouteResult count =
        get(key, HISTORIAN + "/pi?summarize=temp,missing&summarize_type=COUNT", null);

    assertEquals(StatusCodes.OK, max.status(), max.entityString());
    assertEquals(
        parse(
            "{\"device_id\":\"d:"
                + key.org()
                + ":pi:a1\",\"device_type\":\"pi\",\"evt_type\":\"status\",\"start\":{\"$date\":"
                + T0
                + "},\"summarize_type\":\"max\",\"evt\":{\"temp\":23.0,\"network.up\":1.5,"
                + "\"missing\":null}}"),
        body(max));
    assertEquals(
        parse("{\"device_type\":\"pi\",\"summarize_type\":\"avg\",\"evt\":{\"temp\":\"x\"}}")
            .get("summarize_type"),
        body(avg).get("summarize_type"));
    assertEquals(142.0 / 3, body(avg).get("evt").get("temp").asDouble());
    assertEquals(3, body(count).get("evt").get("temp").asLong());
    assertEquals(0, body(count).get("evt").get("missing").asLong());
  }

  @Test
  void summarizesEachUtcAlignedBucketOfTheIntervalClippedToTheRange() {
    ApiKey key = organizationWithApiKey("hist");
    DeviceKey pi = new DeviceKey(key.org(), "pi", "a1");
    long[] seconds = {30, 90, 100, 180};
    double[] temps = {20, 23, 26, 99};
    for (int i = 0; i < seconds.length; i++) {
      String payload = "{\"d\":{\"temp\":" + temps[i] + "}}";
      historian.add(json(pi, "status", T0 + seconds[i] * 1_000, i + 1, payload));
    }
    String range = "&start=" + (T0 + 30_000) + "&end=" + (T0 + 180_000);

    TestRouteResult result =
        get(key, HISTORIAN + "/pi/a1?summarize={temp}&interval=1m" + range, null);

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    JsonNode body = body(result);
    assertEquals("1m", body.get("interval").asText());
    assertEquals("avg", body.get("summarize_type").asText());
    JsonNode buckets = body.get("buckets");
    assertEquals(3, buckets.size());
    assertEquals(T0 + 30_000, buckets.get(0).get("start").get("$date").asLong());
    assertEquals(T0 + 60_000, buckets.get(0).get("end").get("$date").asLong());
    assertEquals(T0 + 120_000, buckets.get(2).get("start").get("$date").asLong());
    assertEquals(T0 + 180_000, buckets.get(2).get("end").get("$date").asLong());
    assertEquals(20.0, buckets.get(0).get("evt").get("temp").asDouble());
    assertEquals(24.5, buckets.get(1).get("evt").get("temp").asDouble());
    assertTrue(buckets.get(2).get("evt").get("temp").isNull(), buckets.toString());
  }

  @Test
  void refusesAnIntervalWithoutRangeOrSummarizeOrBeyondAThousandBucketsWith400() {
    ApiKey key = organizationWithApiKey("hist");
    String range = "&start=" + T0 + "&end=" + (T0 + 3_600_000);
    assertError(
        get(key, HISTORIAN + "/pi?summarize={temp}&interval=2m" + range, null),
        StatusCodes.BAD_REQUEST,
        "1m, 5m, 15m, 1h, 1d");
    assertError(
        get(key, HISTORIAN + "/pi?interval=1m" + range, null),
        StatusCodes.BAD_REQUEST,
        "interval needs summarize");
    assertError(
        get(key, HISTORIAN + "/pi?summarize={temp}&interval=1m&start=" + T0, null),
        StatusCodes.BAD_REQUEST,
        "start and end");
    String minutes = HISTORIAN + "/pi?summarize={temp}&interval=1m&start=" + T0 + "&end=";
    assertError(
        get(key, minutes + (T0 + 1_000 * 60_000L + 1), null),
        StatusCodes.BAD_REQUEST,
        "more than 1000 buckets");
    assertError(
        get(key, HISTORIAN + "?summarize={temp}&interval=1h" + range, null),
        StatusCodes.BAD_REQUEST,
        "device type");

    TestRouteResult thousand = get(key, minutes + (T0 + 1_000 * 60_000L), null);
    assertEquals(StatusCodes.OK, thousand.status(), thousand.entityString());
    assertEquals(1_000, body(thousand).get("buckets").size());
  }

  // ---- projection health ----

  @Test
  void showsTheLagOfEverySliceToTheOperatorOnly() {
    TestRouteResult refused = historianApi.run(HttpRequest.GET("/api/v0002/admin/projections"));
    assertUnauthorized(refused, "Bearer", "Operator token");

    TestRouteResult result =
        historianApi.run(asOperator(HttpRequest.GET("/api/v0002/admin/projections")));

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    JsonNode body = body(result);
    assertEquals(2500, body.get("maxLagMillis").asLong());
    assertEquals("twin-1", body.get("slices").get(1).get("slice").asText());
    assertEquals(2500, body.get("slices").get(1).get("lagMillis").asLong());
    assertEquals("2026-11-23T10:00:00Z", body.get("slices").get(0).get("projectedUpTo").asText());
  }

  // ---- helpers ----

  private TestRouteResult get(ApiKey key, String uri, String cursor) {
    return get(key, uri, cursor, null);
  }

  private TestRouteResult get(ApiKey key, String uri, String cursor, String cookie) {
    HttpRequest request =
        toOrg(key.org(), HttpRequest.GET(uri))
            .addCredentials(HttpCredentials.createBasicHttpCredentials(key.key(), key.token()));
    if (cursor != null) {
      request = request.addHeader(RawHeader.create(HistorianRoutes.CURSOR_HEADER, cursor));
    }
    if (cookie != null) {
      request = request.addHeader(Cookie.create(HistorianRoutes.SESSION_COOKIE, cookie));
    }
    return historianApi.run(request);
  }

  private static Optional<String> cookie(TestRouteResult result) {
    return java.util.stream.StreamSupport.stream(
            result.response().getHeaders().spliterator(), false)
        .filter(header -> header.is("set-cookie"))
        .map(header -> header.value())
        .filter(value -> value.startsWith(HistorianRoutes.SESSION_COOKIE + "="))
        .map(value -> value.substring(value.indexOf('=') + 1, value.indexOf(';')))
        .findFirst();
  }

  private static HistoricalEvent json(
      DeviceKey device, String evtType, long timestamp, long seqNr, String json) {
    return new HistoricalEvent(
        device, evtType, timestamp, seqNr, "json", json.getBytes(StandardCharsets.UTF_8));
  }
}
