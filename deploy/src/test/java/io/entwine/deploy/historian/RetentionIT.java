package io.entwine.deploy.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * History retention on a real node and Cassandra (ADR 0065): an organization whose raw events are
 * kept for seconds loses them from the history while its roll-ups keep answering {@code summarize}
 * for whole hours; another organization, kept for ever, loses nothing.
 */
class RetentionIT {
  private static final Duration PROJECTED = Duration.ofSeconds(120);
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;

  /** An hour boundary in the past: four events in its hour, two in the next. */
  private static final long BASE = Instant.parse("2026-11-20T06:00:00Z").toEpochMilli();

  private static final long[] TIMES = {
    BASE + 10 * MINUTE,
    BASE + 20 * MINUTE,
    BASE + 30 * MINUTE,
    BASE + 40 * MINUTE,
    BASE + HOUR + 5 * MINUTE,
    BASE + HOUR + 50 * MINUTE
  };
  private static final double[] TEMPS = {10, 20, 30, 40, 100, 200};

  @RegisterExtension
  static final TestNode node =
      TestNode.perClass(
          "entwine.cassandra.keyspace = \""
              + SharedCassandra.newKeyspace()
              + "\"\nentwine.historian.minimum-retention = 1s");

  private static final Fixtures fixtures = new Fixtures(node);

  @Test
  void rawEventsExpireWhileRollupsKeepAnsweringSummarizeForWholeHours() {
    ApiKey shortLived = fixtures.organizationWithApiKey();
    ApiKey keptForEver = fixtures.organizationWithApiKey();
    TestNode.Response set =
        retention(shortLived.org(), "PUT", "{\"rawEvents\":\"PT30S\",\"rollups\":\"P1D\"}");
    assertEquals(200, set.status(), set.body());
    assertEquals(
        "{\"rawEvents\":\"PT30S\",\"rollups\":\"P1D\"}",
        retention(shortLived.org(), "GET", null).body());
    assertEquals(
        "{\"rawEvents\":null,\"rollups\":null}", retention(keptForEver.org(), "GET", null).body());

    Device expiring = fixtures.register(shortLived, "thermo", "t1");
    Device kept = fixtures.register(keptForEver, "thermo", "t1");
    for (int i = 0; i < TIMES.length; i++) {
      send(expiring, TIMES[i], TEMPS[i]);
      send(kept, TIMES[i], TEMPS[i]);
    }

    // the raw rows are written (they live 30 s from then) ...
    TestNode.awaitValue(PROJECTED, () -> history(shortLived).size(), size -> size == 6);
    // ... and expire, while the other organization's stay
    TestNode.awaitValue(PROJECTED, () -> history(shortLived).size(), size -> size == 0);
    assertEquals(6, history(keptForEver).size(), "another organization's retention is its own");
    TestNode.awaitValue(
        PROJECTED, () -> summarize(keptForEver, "/thermo/t1", "count", "").asLong(), n -> n == 6);

    for (String scope : List.of("/thermo/t1", "/thermo")) {
      // whole hours come from the roll-ups, which are still there
      assertEquals(6, summarize(shortLived, scope, "count", "").asLong(), scope);
      assertEquals(400.0, summarize(shortLived, scope, "sum", "").asDouble(), scope);
      assertEquals(
          6, summarize(shortLived, scope, "count", range(BASE, BASE + 2 * HOUR)).asLong(), scope);
      // the partial hour at the edge came from raw rows: its event at 07:05 is gone
      String toHalfPastSeven = range(BASE, BASE + HOUR + 30 * MINUTE);
      assertEquals(4, summarize(shortLived, scope, "count", toHalfPastSeven).asLong(), scope);
      assertEquals(5, summarize(keptForEver, scope, "count", toHalfPastSeven).asLong(), scope);
      // a range within one hour is all edge
      String withinAnHour = range(BASE + 5 * MINUTE, BASE + 25 * MINUTE);
      assertEquals(0, summarize(shortLived, scope, "count", withinAnHour).asLong(), scope);
      assertEquals(2, summarize(keptForEver, scope, "count", withinAnHour).asLong(), scope);
    }
  }

  @Test
  void refusesABadRetentionAWrongTokenAndAnUnknownOrganization() {
    ApiKey org = fixtures.organizationWithApiKey();

    TestNode.Response shorter =
        retention(org.org(), "PUT", "{\"rawEvents\":\"P30D\",\"rollups\":\"P7D\"}");
    TestNode.Response unparseable = retention(org.org(), "PUT", "{\"rawEvents\":\"30 days\"}");
    TestNode.Response wrongToken =
        node.request("PUT", "/api/v0002/admin/organizations/" + org.org() + "/retention")
            .header("Authorization", "Bearer not-the-operator")
            .json("{\"rawEvents\":\"P1D\"}")
            .send();
    TestNode.Response apiKey =
        node.request("GET", "/api/v0002/admin/organizations/" + org.org() + "/retention")
            .basic(org.key(), org.token())
            .send();
    TestNode.Response unknown = retention("nosuch" + org.org(), "PUT", "{\"rawEvents\":\"P1D\"}");

    assertEquals(400, shorter.status(), shorter.body());
    assertEquals("rollups", field(shorter));
    assertEquals(400, unparseable.status(), unparseable.body());
    assertEquals("rawEvents", field(unparseable));
    assertEquals(401, wrongToken.status(), wrongToken.body());
    assertEquals(401, apiKey.status(), apiKey.body());
    assertEquals(404, unknown.status(), unknown.body());
    assertEquals(
        "{\"rawEvents\":null,\"rollups\":null}",
        retention(org.org(), "GET", null).body(),
        "nothing changed");
  }

  /** The field a 400's message names first. */
  private static String field(TestNode.Response response) {
    String message = response.json().get("message").asText();
    return message.substring(
        message.indexOf('\'') + 1, message.indexOf('\'', 1 + message.indexOf('\'')));
  }

  private static TestNode.Response retention(String org, String method, String json) {
    TestNode.RequestBuilder request =
        node.request(method, "/api/v0002/admin/organizations/" + org + "/retention").operator();
    return (json == null ? request : request.json(json)).send();
  }

  private static void send(Device device, long ts, double temp) {
    String payload = "{\"d\":{\"temp\":" + temp + "},\"ts\":\"" + Instant.ofEpochMilli(ts) + "\"}";
    TestNode.Response response =
        fixtures.sendEvent(
            device, "status", "application/json", payload.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, response.status(), response.body());
  }

  private static List<JsonNode> history(ApiKey key) {
    TestNode.Response response = get(key, "/api/v0001/historian/thermo/t1?top=100");
    assertEquals(200, response.status(), response.body());
    return List.copyOf(
        java.util.stream.StreamSupport.stream(response.json().spliterator(), false).toList());
  }

  private static String range(long start, long end) {
    return "&start=" + start + "&end=" + end;
  }

  private static JsonNode summarize(ApiKey key, String scope, String type, String range) {
    TestNode.Response response =
        get(
            key,
            "/api/v0001/historian"
                + scope
                + "?summarize=%7Btemp%7D&summarize_type="
                + type
                + range);
    assertEquals(200, response.status(), response.body());
    return response.json().get("evt").get("temp");
  }

  private static TestNode.Response get(ApiKey key, String uri) {
    return node.request("GET", uri).organization(key.org()).basic(key.key(), key.token()).send();
  }
}
