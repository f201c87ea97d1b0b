package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.registry.view.RegisteredDevice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** IBM v0002-style {@code _limit}/{@code _bookmark} paging of the v0001 device lists. */
class RegistryPagingTest extends ApiRouteTest {

  RegistryPagingTest(TestCluster cluster) {
    super(cluster);
  }

  @Test
  void walksAllDevicesPageByPageInTypeAndIdOrder() {
    ApiKey key = organizationWithApiKey("page");
    List<String> expected = new ArrayList<>();
    for (String type : List.of("a", "b", "c")) {
      for (int i = 0; i < 7; i++) {
        seed(key.org(), type, "d" + i);
        expected.add(type + "/d" + i);
      }
    }
    seed("other" + key.org(), "a", "zz");

    List<String> seen = new ArrayList<>();
    String bookmark = null;
    int pages = 0;
    do {
      JsonNode page =
          body(
              list(
                  key, DEVICES + "?_limit=5" + (bookmark == null ? "" : "&_bookmark=" + bookmark)));
      assertEquals(page.get("results").size(), page.get("rowCount").asInt());
      page.get("results")
          .forEach(d -> seen.add(d.get("type").asText() + "/" + d.get("id").asText()));
      bookmark = page.hasNonNull("bookmark") ? page.get("bookmark").asText() : null;
      pages++;
    } while (bookmark != null);

    assertEquals(expected, seen);
    assertEquals(5, pages);
  }

  @Test
  void pagesTheDevicesOfOneType() {
    ApiKey key = organizationWithApiKey("page");
    for (int i = 0; i < 3; i++) {
      seed(key.org(), "a", "d" + i);
      seed(key.org(), "b", "d" + i);
    }
    JsonNode first = body(list(key, DEVICES + "/b?_limit=2"));
    JsonNode second =
        body(list(key, DEVICES + "/b?_limit=2&_bookmark=" + first.get("bookmark").asText()));

    assertEquals("d0", first.get("results").get(0).get("id").asText());
    assertEquals("d1", first.get("results").get(1).get("id").asText());
    assertEquals(1, second.get("rowCount").asInt());
    assertEquals("b", second.get("results").get(0).get("type").asText());
    assertFalse(second.has("bookmark"));
    assertTrue(body(list(key, DEVICES + "/b")).isArray(), "without paging: the v0001 array");
  }

  @Test
  void refusesInvalidLimitsAndBookmarks() {
    ApiKey key = organizationWithApiKey("page");
    for (String query :
        List.of("_limit=0", "_limit=1001", "_limit=x", "_bookmark=%25%25", "_bookmark=YQ")) {
      TestRouteResult result = list(key, DEVICES + "?" + query);
      assertEquals(StatusCodes.BAD_REQUEST, result.status(), query);
    }
  }

  private TestRouteResult list(ApiKey key, String uri) {
    return api.run(withApiKey(key, HttpRequest.GET(uri)));
  }

  private void seed(String org, String type, String id) {
    registry.register(
        new RegisteredDevice(org, type, id, null, true, "a-key", "apikey", Instant.EPOCH, null));
  }
}
