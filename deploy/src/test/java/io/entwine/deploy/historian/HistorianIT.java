package io.entwine.deploy.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import io.entwine.historian.ExactStatistics;
import io.entwine.twin.DeviceTwin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The historian API on a real node and Cassandra, every answer checked against what the test sent:
 * pages in every scope with every parameter, walks through several pages, every summarize type
 * against an independent two-pass computation, organization isolation, and the same answers after
 * the node is stopped while its projection works and after the projection replays from earlier
 * offsets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistorianIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CATCH_UP = Duration.ofSeconds(180);
  private static final long HOUR = 3_600_000L;

  /** An hour boundary; events span about 3.5 hours after it. */
  private static final long BASE = Instant.parse("2026-11-20T06:00:00Z").toEpochMilli();

  private static final String KEYSPACE = SharedCassandra.newKeyspace();

  @RegisterExtension
  static final TestNode node =
      TestNode.perClass("entwine.cassandra.keyspace = \"" + KEYSPACE + "\"");

  private static final Fixtures fixtures = new Fixtures(node);
  private static ApiKey acme;
  private static ApiKey other;
  private static final List<Sent> sent = new ArrayList<>();

  /** One event as sent, with the numeric field values the test put into it. */
  record Sent(
      String org,
      String type,
      String id,
      String evtType,
      long ts,
      String payload,
      Map<String, Double> fields) {
    String uuid() {
      return "d:" + org + ":" + type + ":" + id;
    }
  }

  @BeforeAll
  static void loadEvents() throws Exception {
    acme = fixtures.organizationWithApiKey();
    other = fixtures.organizationWithApiKey();
    List<Device> devices =
        List.of(
            fixtures.register(acme, "thermo", "t1"),
            fixtures.register(acme, "thermo", "t2"),
            fixtures.register(acme, "pump", "p1"));
    Device otherThermo = fixtures.register(other, "thermo", "t1");

    Random random = new Random(20261120);
    for (int i = 0; i < 240; i++) {
      send(devices.get(random.nextInt(devices.size())), BASE + 1_000 + i * 52_123L, random);
    }
    for (int i = 0; i < 12; i++) {
      send(otherThermo, BASE + 2_000 + i * 600_000L, random);
    }
    assertEquals(
        200,
        fixtures
            .sendEvent(
                otherThermo, "log", "text/plain", "rebooted".getBytes(StandardCharsets.UTF_8))
            .status());

    // Stopped while its projections are (very likely) in the middle of this load.
    node.restart();
    awaitCaughtUp();
  }

  private static void send(Device device, long ts, Random random) {
    String evtType = random.nextInt(5) == 0 ? "power" : "status";
    double n = Math.round(random.nextGaussian() * 100_000) / 1000.0 + 20;
    Map<String, Double> fields = new LinkedHashMap<>();
    String payload;
    String time = Instant.ofEpochMilli(ts).toString();
    if (random.nextBoolean()) {
      double up = random.nextDouble();
      fields.put("n", n);
      fields.put("network.up", up);
      payload =
          "{\"d\":{\"n\":"
              + n
              + ",\"host\":\"h\",\"network\":{\"up\":"
              + up
              + "}},\"ts\":\""
              + time
              + "\"}";
    } else {
      int x = random.nextInt(1000) - 500;
      fields.put("n", n);
      fields.put("x", (double) x);
      payload = "{\"n\":" + n + ",\"x\":" + x + ",\"on\":true,\"ts\":\"" + time + "\"}";
    }
    TestNode.Response response =
        fixtures.sendEvent(
            device, evtType, "application/json", payload.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, response.status(), response.body());
    sent.add(
        new Sent(
            device.org(), device.type(), device.id(), evtType, ts, payload, Map.copyOf(fields)));
  }

  /** Until every device's events are in the roll-ups and in the raw tables. */
  private static void awaitCaughtUp() {
    for (String path : List.of("/thermo/t1", "/thermo/t2", "/pump/p1")) {
      long expected = select(acme.org(), path, null, null, null).size();
      TestNode.awaitValue(
          CATCH_UP,
          () -> summary(acme, path + "?summarize={n}&summarize_type=count").get("n").asLong(),
          count -> count == expected);
    }
    TestNode.awaitValue(
        CATCH_UP, () -> walk(acme, "", 100).size(), size -> size == count(acme.org()));
    TestNode.awaitValue(
        CATCH_UP, () -> walk(other, "", 100).size(), size -> size == count(other.org()) + 1);
  }

  // ---- pages ----

  @Test
  @Order(1)
  void everyScopeListsItsEventsNewestFirstFilteredByEveryParameter() {
    long start = BASE + HOUR + 123_456;
    long end = BASE + 3 * HOUR + 7;
    for (String path : List.of("", "/thermo", "/thermo/t2", "/pump/p1")) {
      assertPages(path, null, null, null, 100);
      assertPages(path, "status", null, null, 100);
      assertPages(path, "power", null, null, 100);
      assertPages(path, null, start, null, 100);
      assertPages(path, null, null, end, 100);
      assertPages(path, "status", start, end, 100);
      assertPages(path, null, start, end, 7);
    }
    // start and end are inclusive and exclusive: an event exactly at either bound
    Sent some = sent.get(100);
    assertPages("", null, some.ts(), some.ts() + 1, 100);
    assertEquals(1, walk(acme, "?start=" + some.ts() + "&end=" + (some.ts() + 1), 100).size());
    assertEquals(0, walk(acme, "?start=" + some.ts() + "&end=" + some.ts(), 100).size());
    assertEquals(List.of(), walk(acme, "/thermo/nosuch", 100));
  }

  @Test
  @Order(2)
  void aCursorWalksSeveralPagesWithoutGapsOrRepeats() {
    List<JsonNode> pages = new ArrayList<>();
    List<JsonNode> all = walk(acme, "/thermo", 50, pages);

    assertTrue(pages.size() >= 3, "pages: " + pages.size());
    assertEquals(expected(acme.org(), "/thermo", null, null, null), all);
  }

  @Test
  @Order(3)
  void topLimitsTheFirstPageAndAnswersWithACursorOnlyWhenMoreFollow() {
    TestNode.Response first = get(acme, "/api/v0001/historian/thermo/t1?top=3", null, null);
    assertEquals(3, first.json().size());
    assertTrue(first.raw().headers().firstValue("cursorId").isPresent());
    TestNode.Response all = get(acme, "/api/v0001/historian/thermo/t1?top=100", null, null);
    assertFalse(all.raw().headers().firstValue("cursorId").isPresent());
    assertEquals(400, get(acme, "/api/v0001/historian?top=101", null, null).status());
    assertEquals(400, get(acme, "/api/v0001/historian?top=0", null, null).status());
  }

  // ---- summaries ----

  @Test
  @Order(4)
  void everySummarizeTypeMatchesAnIndependentComputationForAnyRange() {
    long[][] ranges = {
      {Long.MIN_VALUE, Long.MAX_VALUE}, // no start, no end
      {BASE + HOUR, BASE + 3 * HOUR}, // whole hours only
      {BASE + 1_234_567, BASE + 3 * HOUR + 77_777}, // partial hours at both edges
      {BASE + HOUR + 100_000, BASE + HOUR + 2_000_000}, // within one hour
      {BASE + HOUR + 3_000_000, BASE + 2 * HOUR + 500_000}, // across one hour boundary
      {BASE - 5 * HOUR, BASE + HOUR + 1} // from before the first event
    };
    String[] types = {"avg", "count", "min", "max", "sum", "range", "stdev", "variance"};
    int checked = 0;
    for (String path : List.of("/thermo", "/thermo/t1", "/pump")) {
      for (String evtType : new String[] {null, "power"}) {
        for (long[] range : ranges) {
          Long start = range[0] == Long.MIN_VALUE ? null : range[0];
          Long end = range[1] == Long.MAX_VALUE ? null : range[1];
          for (String type : types) {
            String query =
                "?summarize={n,network.up,x,missing}&summarize_type="
                    + type
                    + (evtType == null ? "" : "&evt_type=" + evtType)
                    + (start == null ? "" : "&start=" + start)
                    + (end == null ? "" : "&end=" + end);
            JsonNode evt = summary(acme, path + query);
            for (String field : List.of("n", "network.up", "x", "missing")) {
              List<Double> values =
                  select(acme.org(), path, evtType, start, end).stream()
                      .map(s -> s.fields().get(field))
                      .filter(v -> v != null)
                      .toList();
              assertStatistic(type, values, evt.get(field), path + query + " " + field);
              checked++;
            }
          }
        }
      }
    }
    assertEquals(3 * 2 * 6 * 8 * 4, checked);
  }

  @Test
  @Order(5)
  void aSummaryNamesItsScopeTypeAndRange() {
    JsonNode body =
        get(
                acme,
                "/api/v0001/historian/thermo/t1?summarize=%7Bn%7D&evt_type=status&start=1&end=2",
                null,
                null)
            .json();
    assertEquals("d:" + acme.org() + ":thermo:t1", body.get("device_id").asText());
    assertEquals("thermo", body.get("device_type").asText());
    assertEquals("status", body.get("evt_type").asText());
    assertEquals(1, body.get("start").get("$date").asLong());
    assertEquals(2, body.get("end").get("$date").asLong());
    assertEquals("avg", body.get("summarize_type").asText());
    assertTrue(body.get("evt").get("n").isNull());
  }

  @Test
  @Order(5)
  void everyBucketOfAnIntervalMatchesAnIndependentComputationOfItsEvents() {
    // 1h: partial hours at both edges and whole hours between; 15m: below an hour, one device
    String[][] queries = {
      {"/thermo", null, "1h", "" + (BASE + 1_234_567), "" + (BASE + 3 * HOUR + 77_777)},
      {"/thermo/t1", "status", "15m", "" + (BASE + HOUR + 100_000), "" + (BASE + 2 * HOUR + 1)}
    };
    int[] bucketCounts = {4, 5};
    for (int q = 0; q < queries.length; q++) {
      String path = queries[q][0];
      String evtType = queries[q][1];
      long start = Long.parseLong(queries[q][3]);
      long end = Long.parseLong(queries[q][4]);
      for (String type :
          new String[] {"avg", "count", "min", "max", "sum", "range", "stdev", "variance"}) {
        String query =
            path
                + "?summarize={n,x}&summarize_type="
                + type
                + "&interval="
                + queries[q][2]
                + "&start="
                + start
                + "&end="
                + end
                + (evtType == null ? "" : "&evt_type=" + evtType);
        JsonNode buckets = summaryBody(acme, query).get("buckets");
        assertEquals(bucketCounts[q], buckets.size(), query);
        long expectedStart = start;
        for (JsonNode bucket : buckets) {
          long from = bucket.get("start").get("$date").asLong();
          long to = bucket.get("end").get("$date").asLong();
          assertEquals(expectedStart, from, query);
          expectedStart = to;
          for (String field : List.of("n", "x")) {
            List<Double> values =
                select(acme.org(), path, evtType, from, to).stream()
                    .map(s -> s.fields().get(field))
                    .filter(v -> v != null)
                    .toList();
            assertStatistic(
                type, values, bucket.get("evt").get(field), query + " " + from + " " + field);
          }
        }
        assertEquals(end, expectedStart, query);
      }
    }
  }

  // ---- organizations ----

  @Test
  @Order(6)
  void anOrganizationSeesOnlyItsOwnEventsAndCursors() {
    List<JsonNode> others = walk(other, "", 100);
    assertEquals(count(other.org()) + 1, others.size());
    for (JsonNode record : others) {
      assertTrue(record.get("device_id").asText().startsWith("d:" + other.org() + ":"));
    }
    JsonNode text =
        others.stream().filter(r -> r.get("evt_type").asText().equals("log")).findFirst().get();
    assertEquals("text", text.get("format").asText());
    assertEquals(
        "rebooted", new String(java.util.Base64.getDecoder().decode(text.get("evt").asText())));
    assertEquals(
        select(other.org(), "/thermo/t1", null, null, null).size(),
        summary(other, "/thermo/t1?summarize={n}&summarize_type=count").get("n").asLong());

    TestNode.Response acmeFirst = get(acme, "/api/v0001/historian?top=5", null, null);
    String cursor = acmeFirst.raw().headers().firstValue("cursorId").orElseThrow();
    String cookie = sessionCookie(acmeFirst);
    TestNode.Response otherFirst = get(other, "/api/v0001/historian?top=5", null, null);

    assertEquals(200, get(acme, "/api/v0001/historian?top=5", cursor, cookie).status());
    assertEquals(400, get(other, "/api/v0001/historian?top=5", cursor, cookie).status());
    assertEquals(
        400, get(other, "/api/v0001/historian?top=5", cursor, sessionCookie(otherFirst)).status());
    String forged =
        cursor.substring(0, cursor.length() - 3) + (cursor.endsWith("A") ? "BBB" : "AAA");
    assertEquals(400, get(acme, "/api/v0001/historian?top=5", forged, cookie).status());
    assertEquals(400, get(acme, "/api/v0001/historian?top=5", cursor, null).status());
    TestNode.Response wrongHost =
        node.request("GET", "/api/v0001/historian")
            .organization(other.org())
            .basic(acme.key(), acme.token())
            .send();
    assertEquals(403, wrongHost.status());
  }

  // ---- replays ----

  @Test
  @Order(7)
  void replayingFromEarlierOffsetsChangesNoAnswer() throws Exception {
    Map<String, String> before = projectedUpTo();
    assertFalse(before.isEmpty());
    try (CqlSession session = SharedCassandra.openSession()) {
      boolean first = true;
      for (String tag : DeviceTwin.RECORDED_TAGS) {
        if (!before.containsKey(tag)) {
          continue;
        }
        String where =
            " WHERE projection_name = 'historian' AND partition = "
                + Math.abs(tag.hashCode() % 5)
                + " AND projection_key = '"
                + tag
                + "'";
        if (first) {
          // no offset: the slice starts again from the journal's first tag bucket
          session.execute("DELETE FROM " + KEYSPACE + ".offset_store" + where);
          first = false;
        } else {
          // back to about half-way through the load
          long earlier = Instant.parse(before.get(tag)).toEpochMilli() - 20_000;
          session.execute(
              "UPDATE "
                  + KEYSPACE
                  + ".offset_store SET offset = '"
                  + Uuids.startOf(earlier)
                  + "'"
                  + where);
        }
      }
    }
    node.restart();
    TestNode.awaitValue(CATCH_UP, HistorianIT::projectedUpTo, before::equals);

    everyScopeListsItsEventsNewestFirstFilteredByEveryParameter();
    everySummarizeTypeMatchesAnIndependentComputationForAnyRange();
    anOrganizationSeesOnlyItsOwnEventsAndCursors();
  }

  /** Slice → the time its historian projection has processed events up to (operator endpoint). */
  private static Map<String, String> projectedUpTo() {
    TestNode.Response response =
        node.request("GET", "/api/v0002/admin/projections").operator().send();
    assertEquals(200, response.status(), response.body());
    Map<String, String> slices = new HashMap<>();
    for (JsonNode slice : response.json().get("slices")) {
      if (slice.get("projection").asText().equals("historian") && slice.has("projectedUpTo")) {
        slices.put(slice.get("slice").asText(), slice.get("projectedUpTo").asText());
      }
    }
    return slices;
  }

  // ---- expectations ----

  private static long count(String org) {
    return sent.stream().filter(s -> s.org().equals(org)).count();
  }

  /** The sent events a query selects, newest first. */
  private static List<Sent> select(String org, String path, String evtType, Long start, Long end) {
    String[] parts = path.isEmpty() ? new String[0] : path.substring(1).split("/");
    Predicate<Sent> inScope =
        s ->
            s.org().equals(org)
                && (parts.length < 1 || s.type().equals(parts[0]))
                && (parts.length < 2 || s.id().equals(parts[1]));
    return sent.stream()
        .filter(inScope)
        .filter(s -> evtType == null || s.evtType().equals(evtType))
        .filter(s -> start == null || s.ts() >= start)
        .filter(s -> end == null || s.ts() < end)
        .sorted(Comparator.comparingLong(Sent::ts).reversed())
        .toList();
  }

  /** The records the API should answer, in the scope's shape. */
  private static List<JsonNode> expected(
      String org, String path, String evtType, Long start, Long end) {
    int depth = path.isEmpty() ? 0 : path.substring(1).split("/").length;
    List<JsonNode> records = new ArrayList<>();
    for (Sent s : select(org, path, evtType, start, end)) {
      var record = JSON.createObjectNode();
      if (depth < 2) {
        record.put("device_id", s.uuid());
      }
      if (depth == 0) {
        record.put("device_type", s.type());
      }
      record.put("evt_type", s.evtType());
      record.putObject("timestamp").put("$date", s.ts());
      record.set("evt", parse(s.payload()));
      records.add(record);
    }
    return records;
  }

  private static void assertPages(String path, String evtType, Long start, Long end, int top) {
    String query =
        "?top="
            + top
            + (evtType == null ? "" : "&evt_type=" + evtType)
            + (start == null ? "" : "&start=" + start)
            + (end == null ? "" : "&end=" + end);
    assertEquals(
        expected(acme.org(), path, evtType, start, end),
        walk(acme, path + query, top),
        path + query);
  }

  /** The statistic of the values as the API should round it ({@link ExactStatistics}). */
  private static void assertStatistic(
      String type, List<Double> values, JsonNode actual, String what) {
    assertNotNull(actual, what);
    int n = values.size();
    if (type.equals("count")) {
      assertEquals(n, actual.asLong(), what);
      return;
    }
    if (n == 0) {
      if (type.equals("sum")) {
        assertEquals(0.0, actual.asDouble(), what);
      } else {
        assertTrue(actual.isNull(), what + ": " + actual);
      }
      return;
    }
    double expected = ExactStatistics.of(values).named(type);
    assertTrue(actual.isNumber(), what + ": " + actual);
    assertEquals(expected, actual.asDouble(), what);
  }

  // ---- HTTP ----

  private static List<JsonNode> walk(ApiKey key, String pathAndQuery, int top) {
    return walk(key, pathAndQuery, top, new ArrayList<>());
  }

  /** Every page of a query, following cursorId with the session cookie. */
  private static List<JsonNode> walk(
      ApiKey key, String pathAndQuery, int top, List<JsonNode> pages) {
    String uri = "/api/v0001/historian" + pathAndQuery;
    if (!uri.contains("top=")) {
      uri += (uri.contains("?") ? "&" : "?") + "top=" + top;
    }
    List<JsonNode> records = new ArrayList<>();
    String cursor = null;
    String cookie = null;
    for (int page = 0; page < 1000; page++) {
      TestNode.Response response = get(key, uri, cursor, cookie);
      assertEquals(200, response.status(), uri + ": " + response.body());
      JsonNode body = response.json();
      pages.add(body);
      assertTrue(body.size() <= top);
      body.forEach(records::add);
      cursor = response.raw().headers().firstValue("cursorId").orElse(null);
      cookie = sessionCookie(response);
      if (cursor == null) {
        return records;
      }
      assertEquals(top, body.size(), "only the last page is short");
    }
    throw new AssertionError("More than 1000 pages");
  }

  private static TestNode.Response get(ApiKey key, String uri, String cursor, String cookie) {
    TestNode.RequestBuilder request =
        node.request("GET", uri).organization(key.org()).basic(key.key(), key.token());
    if (cursor != null) {
      request.header("cursorId", cursor);
    }
    if (cookie != null) {
      request.header("Cookie", "iotHistorianSessionId=" + cookie);
    }
    return request.send();
  }

  private static JsonNode summary(ApiKey key, String pathAndQuery) {
    return summaryBody(key, pathAndQuery).get("evt");
  }

  private static JsonNode summaryBody(ApiKey key, String pathAndQuery) {
    TestNode.Response response =
        get(
            key,
            "/api/v0001/historian" + pathAndQuery.replace("{", "%7B").replace("}", "%7D"),
            null,
            null);
    assertEquals(200, response.status(), pathAndQuery + ": " + response.body());
    return response.json();
  }

  private static String sessionCookie(TestNode.Response response) {
    String header = response.raw().headers().firstValue("set-cookie").orElseThrow();
    assertTrue(header.startsWith("iotHistorianSessionId="), header);
    return header.substring("iotHistorianSessionId=".length(), header.indexOf(';'));
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(json, e);
    }
  }
}
