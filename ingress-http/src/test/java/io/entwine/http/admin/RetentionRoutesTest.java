package io.entwine.http.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** The operator sets how long an organization's history is kept. */
class RetentionRoutesTest extends ApiRouteTest {
  private static final String FOR_EVER = "{\"rawEvents\":null,\"rollups\":null}";

  RetentionRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @Test
  void keepsHistoryForEverUntilTheOperatorSetsARetention() {
    String org = createOrganization(uniqueOrg("ret"));

    assertEquals(parse(FOR_EVER), body(get(org)));
  }

  @Test
  void setsARetentionReadsItBackInDaysAndClearsItAgain() {
    String org = createOrganization(uniqueOrg("ret"));

    TestRouteResult set = put(org, "{\"rawEvents\":\"PT720H\",\"rollups\":\"P400D\"}");

    assertEquals(StatusCodes.OK, set.status(), set.entityString());
    String expected = "{\"rawEvents\":\"P30D\",\"rollups\":\"P400D\"}";
    assertEquals(parse(expected), body(set));
    assertEquals(parse(expected), body(get(org)));
    assertEquals(
        parse("{\"rawEvents\":\"PT36H\",\"rollups\":null}"),
        body(put(org, "{\"rawEvents\":\"PT36H\"}")),
        "roll-ups left out are kept for ever");
    assertEquals(parse(FOR_EVER), body(put(org, "{}")));
  }

  @Test
  void refusesABadRetentionWith400NamingTheFieldAndChangesNothing() {
    String org = createOrganization(uniqueOrg("ret"));
    put(org, "{\"rawEvents\":\"P1D\",\"rollups\":\"P2D\"}");

    assertError(put(org, "{\"rawEvents\":\"-P1D\"}"), StatusCodes.BAD_REQUEST, "'rawEvents'");
    assertError(put(org, "{\"rawEvents\":\"PT0S\"}"), StatusCodes.BAD_REQUEST, "'rawEvents'");
    assertError(put(org, "{\"rawEvents\":\"30 days\"}"), StatusCodes.BAD_REQUEST, "'rawEvents'");
    assertError(put(org, "{\"rawEvents\":30}"), StatusCodes.BAD_REQUEST, "'rawEvents'");
    assertError(put(org, "{\"rollups\":\"P1M\"}"), StatusCodes.BAD_REQUEST, "'rollups'");
    assertError(put(org, "{\"rollups\":\"PT1.5S\"}"), StatusCodes.BAD_REQUEST, "'rollups'");
    assertError(put(org, "{\"rollups\":\"P3651D\"}"), StatusCodes.BAD_REQUEST, "at most P3650D");
    assertError(
        put(org, "{\"rawEvents\":\"P30D\",\"rollups\":\"P7D\"}"),
        StatusCodes.BAD_REQUEST,
        "'rollups' (P7D) must not be shorter than 'rawEvents' (P30D)");
    assertError(
        put(org, "{\"rollups\":\"P7D\"}"),
        StatusCodes.BAD_REQUEST,
        "'rollups' (P7D) must not be shorter");
    assertError(put(org, "{\"raw\":\"P7D\"}"), StatusCodes.BAD_REQUEST, "Unknown field 'raw'");
    assertError(put(org, "[]"), StatusCodes.BAD_REQUEST, "JSON object");

    assertEquals(parse("{\"rawEvents\":\"P1D\",\"rollups\":\"P2D\"}"), body(get(org)));
  }

  @Test
  void answersAnUnknownOrganizationWith404() {
    String org = "nosuch" + uniqueOrg("ret");

    assertError(put(org, "{\"rawEvents\":\"P1D\"}"), StatusCodes.NOT_FOUND, "does not exist");
    assertError(get(org), StatusCodes.NOT_FOUND, "does not exist");
  }

  @Test
  void refusesCallersWithoutTheOperatorTokenAndChangesNothing() {
    String org = createOrganization(uniqueOrg("ret"));

    TestRouteResult anonymous =
        api.run(
            withJson(
                HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/retention"),
                "{\"rawEvents\":\"P1D\"}"));
    TestRouteResult wrongToken =
        api.run(
            withJson(
                    HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/retention"),
                    "{\"rawEvents\":\"P1D\"}")
                .addCredentials(HttpCredentials.createOAuth2BearerToken("not-the-operator")));

    assertEquals(StatusCodes.UNAUTHORIZED, anonymous.status(), anonymous.entityString());
    assertEquals(StatusCodes.UNAUTHORIZED, wrongToken.status(), wrongToken.entityString());
    assertEquals(parse(FOR_EVER), body(get(org)));
  }

  private TestRouteResult put(String org, String json) {
    return api.run(
        asOperator(withJson(HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/retention"), json)));
  }

  private TestRouteResult get(String org) {
    return api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + org + "/retention")));
  }
}
