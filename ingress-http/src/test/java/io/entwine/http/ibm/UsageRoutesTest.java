package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.http.common.Authentication;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.identity.DeviceKey;
import io.entwine.usage.DeviceDay;
import io.entwine.usage.InMemoryUsageRepository;
import io.entwine.usage.Usage;
import java.time.LocalDate;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** IBM's v0002 usage management over usage rows in memory. */
class UsageRoutesTest extends ApiRouteTest {
  private static final String USAGE = "/api/v0002/usage/";

  private final InMemoryUsageRepository rows = new InMemoryUsageRepository();
  private final TestRoute usageApi;

  UsageRoutesTest(TestCluster cluster) {
    super(cluster);
    usageApi =
        testRoute(
            new EntwineRoutes(
                    new UsageRoutes(
                            new Usage(rows), new Authentication(cluster.gateway(), SETTINGS))
                        .route())
                .route());
  }

  @Test
  void answersIbmsShapeWithDaysOnlyOnDetail() {
    ApiKey key = organizationWithApiKey("usage");
    sent(key.org(), "a", "2026-12-01", 100);
    sent(key.org(), "b", "2026-12-01", 50);
    sent(key.org(), "a", "2026-12-31", 10);
    sent("elsewhere", "a", "2026-12-01", 1_000);

    JsonNode traffic = body(get(key, "data-traffic?start=2026-12&end=2026-12&detail=true"));
    JsonNode active = body(get(key, "active-devices?start=2026-12-01&end=2026-12-31"));
    JsonNode stored = body(get(key, "historical-data?start=2026&end=2026"));

    assertEquals("2026-12-01", traffic.get("start").asText());
    assertEquals("2026-12-31", traffic.get("end").asText());
    assertEquals(160, traffic.get("total").asLong());
    assertEquals(160 / 31, traffic.get("average").asLong());
    assertEquals(31, traffic.get("days").size());
    assertEquals(parse("{\"date\":\"2026-12-01\",\"total\":150}"), traffic.get("days").get(0));
    assertEquals(2, active.get("total").asLong());
    assertFalse(active.has("days"), "no detail, no days");
    assertEquals("2026-01-01", stored.get("start").asText());
    assertEquals("2026-12-31", stored.get("end").asText());
    assertEquals(160, stored.get("total").asLong());
  }

  @Test
  void refusesBadRangesWith400() {
    ApiKey key = organizationWithApiKey("usage");
    for (String query :
        List.of(
            "end=2026",
            "start=2026",
            "start=2026-13&end=2026-12",
            "start=2026-02-30&end=2026-03-01",
            "start=26&end=2026",
            "start=2026-12-02&end=2026-12-01",
            "start=2024&end=2025-01",
            "start=2026&end=2026&detail=yes")) {
      TestRouteResult result = get(key, "data-traffic?" + query);
      assertEquals(StatusCodes.BAD_REQUEST, result.status(), query + ": " + result.entityString());
      assertTrue(body(result).get("message").asText().length() > 10, query);
    }
  }

  @Test
  void refusesCallersWithoutAnApiKey() {
    assertEquals(
        StatusCodes.UNAUTHORIZED,
        usageApi.run(HttpRequest.GET(USAGE + "data-traffic?start=2026&end=2026")).status());
  }

  private void sent(String org, String id, String date, long bytes) {
    rows.rows.put(
        new DeviceDay.Key(new DeviceKey(org, "pi", id), LocalDate.parse(date).toEpochDay()),
        new DeviceDay(1, bytes, 1));
  }

  private TestRouteResult get(ApiKey key, String uri) {
    return usageApi.run(
        toOrg(key.org(), HttpRequest.GET(USAGE + uri))
            .addCredentials(HttpCredentials.createBasicHttpCredentials(key.key(), key.token())));
  }
}
