package io.entwine.http.admin;

import static io.entwine.http.ApiRouteTest.ADMIN_TOKEN;
import static io.entwine.http.ApiRouteTest.ORGANIZATIONS;
import static io.entwine.http.ApiRouteTest.SETTINGS;
import static io.entwine.http.ApiRouteTest.asOperator;
import static io.entwine.http.ApiRouteTest.assertError;
import static io.entwine.http.ApiRouteTest.assertUnauthorized;
import static io.entwine.http.ApiRouteTest.basic;
import static io.entwine.http.ApiRouteTest.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.JUnit5RouteTest;
import io.entwine.http.common.Authentication;
import io.entwine.registry.view.InMemoryOrganizationRepository;
import io.entwine.registry.view.ListedOrganization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's organizations list, answered from the read model. */
class OrganizationListRoutesTest extends JUnit5RouteTest {
  private static final Instant AT = Instant.parse("2026-12-07T12:00:00Z");
  private static ActorTestKit testKit;

  private final InMemoryOrganizationRepository organizations = new InMemoryOrganizationRepository();
  // the operator's token needs no gateway
  private final TestRoute api =
      testRoute(
          new OrganizationListRoutes(organizations, new Authentication(null, SETTINGS)).route());

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("OrganizationListRoutesTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  OrganizationListRoutesTest() {
    super(testKit.system());
  }

  private void listed(String... ids) {
    for (String id : ids) {
      organizations.add(new ListedOrganization(id, "Name of " + id, AT));
    }
  }

  @Test
  void refusesCallersWithoutTheOperatorToken() {
    listed("acme");
    assertUnauthorized(
        api.run(HttpRequest.GET(ORGANIZATIONS)), "Bearer", "Operator token required");
    // an application's API key is no operator token
    assertUnauthorized(
        api.run(HttpRequest.GET(ORGANIZATIONS).addCredentials(basic("a-acme-k1", ADMIN_TOKEN))),
        "Bearer",
        "Operator token required");
  }

  @Test
  void listsOrganizationsByIdWithTheirNameAndCreation() {
    listed("zeta", "acme");

    JsonNode page = body(api.run(asOperator(HttpRequest.GET(ORGANIZATIONS))));

    assertEquals(List.of("acme", "zeta"), ids(page));
    assertEquals("Name of acme", page.get("results").get(0).get("name").asText());
    assertEquals(AT.toString(), page.get("results").get(0).get("created").asText());
    assertEquals(2, page.get("meta").get("total_rows").asLong());
    assertFalse(page.has("bookmark"), "no bookmark on the last page");
  }

  @Test
  void pagesWithLimitAndBookmarkUntilTheLastPage() {
    listed("o1", "o2", "o3", "o4", "o5");
    List<String> seen = new ArrayList<>();
    String query = "?_limit=2";
    int pages = 0;
    while (query != null) {
      JsonNode page = body(api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + query))));
      seen.addAll(ids(page));
      assertEquals(5, page.get("meta").get("total_rows").asLong());
      query =
          page.hasNonNull("bookmark")
              ? "?_limit=2&_bookmark=" + page.get("bookmark").asText()
              : null;
      pages++;
    }
    assertEquals(List.of("o1", "o2", "o3", "o4", "o5"), seen);
    assertEquals(3, pages);
  }

  @Test
  void refusesALimitOutOfRangeAndAnUnreadableBookmark() {
    for (String limit : List.of("0", "1001", "ten")) {
      assertError(
          api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "?_limit=" + limit))),
          StatusCodes.BAD_REQUEST,
          "_limit must be a whole number from 1 to 1000");
    }
    // base64url of "NOT AN ID!", which no organization id can be
    TestRouteResult badBookmark =
        api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "?_bookmark=Tk9UIEFOIElEIQ")));
    assertError(badBookmark, StatusCodes.BAD_REQUEST, "Invalid _bookmark");
  }

  private static List<String> ids(JsonNode page) {
    return StreamSupport.stream(page.get("results").spliterator(), false)
        .map(o -> o.get("id").asText())
        .toList();
  }
}
