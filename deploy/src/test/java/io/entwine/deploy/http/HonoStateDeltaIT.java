package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.StateApi;
import io.entwine.deploy.testing.TestNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19 item 6 over real HTTP and a real Cassandra: a Hono device that waits with {@code
 * hono-ttd} learns the desired changes an application makes, as the one-way command {@code delta},
 * once per version, and confirms them by reporting (its telemetry, named as a state event); a
 * gateway's own waiting request gets the deltas of the devices it acts for.
 */
class HonoStateDeltaIT {
  private static final String TENANT = "hono_state";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static ApiKey apiKey;
  private static StateApi state;

  @BeforeAll
  static void deviceWithAHonoPassword() {
    Fixtures fixtures = new Fixtures(node);
    TestNode.Response org =
        node.request("POST", "/api/v0002/admin/organizations")
            .operator()
            .json("{\"id\":\"" + TENANT + "\",\"name\":\"Hono state\"}")
            .send();
    assertEquals(201, org.status(), org.body());
    apiKey = fixtures.apiKey(TENANT);
    fixtures.register(apiKey, "thermostat", "4711");
    state = new StateApi(node, apiKey, "thermostat", "4711");
    TestNode.Response password =
        management("POST", "/api/v0002/device/types/thermostat/devices/4711/credentials")
            .json(
                "{\"type\":\"hashed-password\",\"auth-id\":\"thermo1\",\"secret\":\"hono-secret\"}")
            .send();
    assertEquals(201, password.status(), password.body());
  }

  @Test
  void aWaitingDeviceGetsEachDesiredVersionAsTheDeltaCommandAndConfirmsByReporting()
      throws Exception {
    // the device waits first; the application's change reaches the waiting request
    CompletableFuture<TestNode.Response> waiting =
        CompletableFuture.supplyAsync(() -> telemetry("{\"temp\":20}", "30", "hono-secret"));
    TestNode.Response desired = state.desire("{\"interval\":15}", "\"0\"");
    assertEquals(200, desired.status(), desired.body());

    TestNode.Response first = waiting.get(60, TimeUnit.SECONDS);
    assertDelta(first, 1, "{\"interval\":15}");

    // the same version is not handed again: the next request waits its ttd out
    TestNode.Response again = telemetry("{\"temp\":20}", "1", "hono-secret");
    assertEquals(202, again.status(), again.body());

    // a change made while no request waits comes with the next one
    assertEquals(200, state.desire("{\"mode\":\"eco\"}", "\"1\"").status());
    TestNode.Response wrongPassword = telemetry("{\"temp\":20}", "1", "wrong");
    assertEquals(401, wrongPassword.status(), wrongPassword.body());
    TestNode.Response second = telemetry("{\"temp\":20}", "5", "hono-secret");
    assertDelta(second, 2, "{\"interval\":15,\"mode\":\"eco\"}");

    // the device does it and reports (its telemetry reports state from now on): the delta is
    // empty, nothing more is handed
    TestNode.Response telemetryReports =
        management("PUT", "/api/v0002/device/types/thermostat/state-events")
            .json("{\"eventIds\":[\"telemetry\"]}")
            .send();
    assertEquals(200, telemetryReports.status(), telemetryReports.body());
    TestNode.Response done = telemetry("{\"interval\":15,\"mode\":\"eco\"}", "1", "hono-secret");
    assertEquals(202, done.status(), done.body());
    JsonNode document = state.state().json();
    assertTrue(document.get("delta").isEmpty(), document.toString());
    assertEquals(15, document.at("/reported/interval").asInt(), document.toString());
  }

  @Test
  void aGatewaysOwnWaitingRequestGetsTheDeltasOfItsDevicesNamingTheDevice() throws Exception {
    Fixtures fixtures = new Fixtures(node);
    fixtures.register(apiKey, "gateway", "gw-1");
    fixtures.register(apiKey, "thermostat", "4720");
    TestNode.Response password =
        management("POST", "/api/v0002/device/types/gateway/devices/gw-1/credentials")
            .json("{\"type\":\"hashed-password\",\"auth-id\":\"gw\",\"secret\":\"gw-secret\"}")
            .send();
    assertEquals(201, password.status(), password.body());
    TestNode.Response via =
        management("PUT", "/api/v0002/device/types/thermostat/devices/4720/gateways")
            .json("{\"via\":[\"gw-1\"]}")
            .send();
    assertEquals(200, via.status(), via.body());
    StateApi behind = new StateApi(node, apiKey, "thermostat", "4720");

    // the gateway waits on its own request; the application changes its device's desired state
    CompletableFuture<TestNode.Response> waiting =
        CompletableFuture.supplyAsync(() -> gatewayTelemetry("30"));
    assertEquals(200, behind.desire("{\"interval\":20}", "\"0\"").status());
    TestNode.Response first = waiting.get(60, TimeUnit.SECONDS);
    assertDelta(first, 1, "{\"interval\":20}");
    assertEquals("4720", first.raw().headers().firstValue("hono-cmd-target-device").orElse(null));

    // a change made while nobody waits comes with the gateway's next request, once
    assertEquals(200, behind.desire("{\"mode\":\"eco\"}", null).status());
    TestNode.Response second = gatewayTelemetry("5");
    assertDelta(second, 2, "{\"interval\":20,\"mode\":\"eco\"}");
    assertEquals("4720", second.raw().headers().firstValue("hono-cmd-target-device").orElse(null));
    TestNode.Response nothingNew = gatewayTelemetry("1");
    assertEquals(202, nothingNew.status(), nothingNew.body());
  }

  private static TestNode.Response gatewayTelemetry(String ttd) {
    return node.request("POST", "/telemetry")
        .basic("gw@" + TENANT, "gw-secret")
        .header("hono-ttd", ttd)
        .json("{\"uptime\":1}")
        .send();
  }

  @Test
  void anotherOrganizationsDeviceOfTheSameIdGetsNoDelta() throws Exception {
    TestNode.Response org =
        node.request("POST", "/api/v0002/admin/organizations")
            .operator()
            .json("{\"id\":\"other_tenant\",\"name\":\"Other\"}")
            .send();
    assertEquals(201, org.status(), org.body());
    Fixtures fixtures = new Fixtures(node);
    fixtures.register(apiKey, "thermostat", "4712");
    ApiKey otherKey = fixtures.apiKey("other_tenant");
    fixtures.register(otherKey, "thermostat", "4712");
    TestNode.Response password =
        node.request("POST", "/api/v0002/device/types/thermostat/devices/4712/credentials")
            .organization(otherKey.org())
            .basic(otherKey.key(), otherKey.token())
            .json("{\"type\":\"hashed-password\",\"auth-id\":\"thermo2\",\"secret\":\"other\"}")
            .send();
    assertEquals(201, password.status(), password.body());
    StateApi sameIdHere = new StateApi(node, apiKey, "thermostat", "4712");
    assertEquals(200, sameIdHere.desire("{\"target\":21}", null).status());

    TestNode.Response other =
        node.request("POST", "/telemetry")
            .basic("thermo2@other_tenant", "other")
            .header("hono-ttd", "1")
            .json("{\"temp\":20}")
            .send();

    assertEquals(202, other.status(), other.body());
  }

  private static void assertDelta(TestNode.Response response, long version, String delta)
      throws Exception {
    assertEquals(200, response.status(), response.body());
    assertEquals("delta", response.raw().headers().firstValue("hono-command").orElse(null));
    assertTrue(
        response.raw().headers().firstValue("hono-cmd-req-id").isEmpty(),
        "a one-way command: the device answers by reporting");
    assertTrue(
        response
            .raw()
            .headers()
            .firstValue("Content-Type")
            .orElse("")
            .startsWith("application/json"));
    assertEquals(version, response.json().get("version").asLong(), response.body());
    assertEquals(JSON.readTree(delta), response.json().get("delta"), response.body());
  }

  private static TestNode.Response telemetry(String json, String ttd, String password) {
    return node.request("POST", "/telemetry")
        .basic("thermo1@" + TENANT, password)
        .header("hono-ttd", ttd)
        .json(json)
        .send();
  }

  private static TestNode.RequestBuilder management(String method, String path) {
    return node.request(method, path)
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token());
  }
}
