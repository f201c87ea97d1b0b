package io.entwine.deploy.http;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lists the console pages through, on a real node: the operator's organizations (a projection
 * of the Organization entities) and a type of 1,000 devices, paged and searched by id prefix.
 */
class RegistryListsIT {
  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  private static final Duration LISTED = Duration.ofSeconds(60);

  @Test
  void operatorPagesThroughTheOrganizationsAndNobodyElseSeesThem() {
    List<String> created = new ArrayList<>();
    ApiKey key = null;
    for (int i = 0; i < 3; i++) {
      key = fixtures.organizationWithApiKey();
      created.add(key.org());
    }

    List<String> listed =
        awaitValue(LISTED, () -> organizationIds(2), ids -> ids.containsAll(created));
    assertEquals(listed.stream().sorted().toList(), listed, "ordered by id");
    assertEquals(listed.stream().distinct().count(), listed.size(), "each organization once");
    JsonNode page = organizations("?_limit=1000").json();
    assertEquals(listed.size(), page.get("meta").get("total_rows").asInt());

    assertEquals(401, node.request("GET", "/api/v0002/admin/organizations").send().status());
    TestNode.Response withApiKey =
        node.request("GET", "/api/v0002/admin/organizations").basic(key.key(), key.token()).send();
    assertEquals(401, withApiKey.status(), "an application's key is no operator token");
    assertFalse(withApiKey.body().contains(created.get(0)), withApiKey.body());
    assertEquals(400, organizations("?_limit=0").status());
    assertEquals(400, organizations("?_bookmark=not-a-bookmark!").status());
  }

  /** Every organization id, walking the pages of {@code limit} by their bookmarks. */
  private static List<String> organizationIds(int limit) {
    List<String> ids = new ArrayList<>();
    String bookmark = null;
    do {
      JsonNode page =
          organizations("?_limit=" + limit + (bookmark == null ? "" : "&_bookmark=" + bookmark))
              .json();
      page.get("results").forEach(o -> ids.add(o.get("id").asText()));
      bookmark = page.hasNonNull("bookmark") ? page.get("bookmark").asText() : null;
    } while (bookmark != null);
    return ids;
  }

  private static TestNode.Response organizations(String query) {
    return node.request("GET", "/api/v0002/admin/organizations" + query).operator().send();
  }

  @Test
  void pagesAThousandDevicesOfATypeAndFindsThemByIdPrefix() {
    ApiKey key = fixtures.organizationWithApiKey();
    fixtures.registerInBulk(key, "many", 1000);

    List<String> expected = IntStream.range(0, 1000).mapToObj(RegistryListsIT::deviceId).toList();
    List<String> seen = new ArrayList<>();
    String bookmark = null;
    int pages = 0;
    do {
      JsonNode page =
          fixtures
              .v0002(
                  key,
                  "GET",
                  "/device/types/many/devices?_limit=50"
                      + (bookmark == null ? "" : "&_bookmark=" + bookmark),
                  null)
              .json();
      assertEquals(1000, page.get("meta").get("total_rows").asInt());
      page.get("results").forEach(d -> seen.add(d.get("deviceId").asText()));
      bookmark = page.hasNonNull("bookmark") ? page.get("bookmark").asText() : null;
      pages++;
    } while (bookmark != null);
    assertEquals(20, pages);
    assertEquals(expected, seen);

    JsonNode found =
        fixtures.v0002(key, "GET", "/device/types/many/devices?deviceId=d-099*", null).json();
    assertEquals(expected.subList(990, 1000), ids(found));
    assertEquals(10, found.get("meta").get("total_rows").asInt());
    JsonNode one =
        fixtures.v0002(key, "GET", "/device/types/many/devices?deviceId=d-0990", null).json();
    assertEquals(List.of("d-0990"), ids(one));
    assertEquals(
        400, fixtures.v0002(key, "GET", "/device/types/many/devices?deviceId=d/0*", null).status());

    // another organization's key finds none of them
    ApiKey other = fixtures.organizationWithApiKey();
    TestNode.Response elsewhere =
        fixtures.v0002(other, "GET", "/device/types/many/devices?deviceId=d-*", null);
    assertTrue(
        elsewhere.status() == 404 || ids(elsewhere.json()).isEmpty(),
        () -> elsewhere.status() + " " + elsewhere.body());
  }

  private static String deviceId(int i) {
    return Fixtures.bulkDeviceId(i);
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("results").forEach(d -> ids.add(d.get("deviceId").asText()));
    return ids;
  }
}
