package io.entwine.http.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** The operator switches an organization's IBM HTTP and MQTT adapters on and off. */
class AdapterSwitchRoutesTest extends ApiRouteTest {
  AdapterSwitchRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @Test
  void switchesAnAdapterOffAndReadsItBackWhileTheOtherStaysOn() {
    String org = createOrganization(uniqueOrg("sw"));

    TestRouteResult off = put(org, "ibm-mqtt", "{\"enabled\":false}");

    assertEquals(StatusCodes.OK, off.status(), off.entityString());
    assertEquals(parse("{\"enabled\":false}"), body(off));
    assertEquals(parse("{\"enabled\":false}"), body(get(org, "ibm-mqtt")));
    assertEquals(parse("{\"enabled\":true}"), body(get(org, "ibm-http")), "on by default");
    assertEquals(parse("{\"enabled\":true}"), body(put(org, "ibm-mqtt", "{\"enabled\":true}")));
  }

  @Test
  void refusesABodyWithoutABooleanEnabledWith400() {
    String org = createOrganization(uniqueOrg("sw"));

    for (String body : new String[] {"{}", "{\"enabled\":\"no\"}", "{\"enabled\":0}"}) {
      assertError(put(org, "ibm-http", body), StatusCodes.BAD_REQUEST, "'enabled' is required");
    }
    assertEquals(parse("{\"enabled\":true}"), body(get(org, "ibm-http")), "nothing changed");
  }

  @Test
  void answersAnUnknownAdapterOrOrganizationWith404() {
    String org = createOrganization(uniqueOrg("sw"));

    assertError(put(org, "coap", "{\"enabled\":false}"), StatusCodes.NOT_FOUND, "ibm-mqtt");
    assertError(
        put("nosuch" + org, "ibm-http", "{\"enabled\":false}"),
        StatusCodes.NOT_FOUND,
        "does not exist");
  }

  @Test
  void refusesCallersWithoutTheOperatorToken() {
    String org = createOrganization(uniqueOrg("sw"));

    TestRouteResult anonymous =
        api.run(
            withJson(
                HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/adapters/ibm-http"),
                "{\"enabled\":false}"));

    assertEquals(StatusCodes.UNAUTHORIZED, anonymous.status(), anonymous.entityString());
    assertEquals(parse("{\"enabled\":true}"), body(get(org, "ibm-http")));
  }

  private TestRouteResult put(String org, String adapter, String json) {
    return api.run(
        asOperator(
            withJson(HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/adapters/" + adapter), json)));
  }

  private TestRouteResult get(String org, String adapter) {
    return api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + org + "/adapters/" + adapter)));
  }
}
