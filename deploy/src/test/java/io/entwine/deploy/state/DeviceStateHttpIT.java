package io.entwine.deploy.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.StateApi;
import io.entwine.deploy.testing.TestNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README walkthrough's HTTP half against a real node with the JDK HttpClient: an application
 * desires, a conditional write loses, the device reads its delta and reports; state and version
 * survive a restart of the node; If-None-Match answers 304 on reads and guards create-only writes.
 */
class DeviceStateHttpIT {

  @RegisterExtension static final TestNode node = TestNode.perClass();
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "thermostat", id = "lab-1")
  private Device device;

  private StateApi api() {
    return new StateApi(node, apiKey, device.type(), device.id());
  }

  private String statePath() {
    return api().path();
  }

  private TestNode.Response desire(String body, String ifMatch) {
    return api().desire(body, ifMatch);
  }

  private TestNode.Response asDevice(String method, String path, String json) {
    TestNode.RequestBuilder request =
        node.request(method, path)
            .organization(device.org())
            .basic("use-token-auth", device.token());
    return json == null ? request.send() : request.json(json).send();
  }

  private TestNode.Response state() {
    return api().state();
  }

  @Test
  void desiredDeltaReportedAndTheVersionSurviveARestart() throws Exception {
    TestNode.Response desired = desire("{\"interval\":15}", "\"0\"");
    assertEquals(200, desired.status(), desired.body());
    assertEquals(1, desired.json().get("version").asLong());
    assertEquals("\"1\"", desired.raw().headers().firstValue("ETag").orElseThrow());

    TestNode.Response conflict = desire("{\"interval\":15}", "\"0\"");
    assertEquals(412, conflict.status(), conflict.body());
    assertEquals(1, conflict.json().get("version").asLong());

    TestNode.Response delta = asDevice("GET", statePath() + "/delta", null);
    assertEquals(200, delta.status(), delta.body());
    assertEquals(15, delta.json().at("/delta/interval").asInt(), delta.body());

    TestNode.Response reported = asDevice("PATCH", statePath() + "/reported", "{\"interval\":15}");
    assertEquals(200, reported.status(), reported.body());
    assertEquals(2, reported.json().get("version").asLong());
    assertTrue(reported.json().get("delta").isEmpty(), reported.body());

    JsonNode before = state().json();
    assertTrue(before.at("/metadata/reported/interval/timestamp").isNumber(), before.toString());

    node.restart();

    TestNode.Response after = state();
    assertEquals(200, after.status(), after.body());
    assertEquals(before, after.json(), "the state, its version and times survive the restart");
    assertEquals("\"2\"", after.raw().headers().firstValue("ETag").orElseThrow());
    assertEquals(412, desire("{\"interval\":20}", "\"1\"").status(), "the version is still 2");
    assertEquals(200, desire("{\"interval\":20}", "\"2\"").status());
  }

  private TestNode.RequestBuilder asApplication(String method, String path) {
    return node.request(method, path)
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token());
  }

  private TestNode.Response desireUnlessAnyExists(String method, String json) {
    return asApplication(method, statePath() + "/desired")
        .header("If-None-Match", "*")
        .json(json)
        .send();
  }

  @Test
  void ifNoneMatchGivesNotModifiedReadsAndDesiredWritesOnlyWhenThereIsNone() {
    TestNode.Response created = desireUnlessAnyExists("PUT", "{\"interval\":15}");
    assertEquals(200, created.status(), created.body());
    assertEquals("\"1\"", created.raw().headers().firstValue("ETag").orElseThrow());

    TestNode.Response again = desireUnlessAnyExists("PATCH", "{\"interval\":30}");
    assertEquals(412, again.status(), again.body());
    assertEquals(1, again.json().get("version").asLong(), again.body());

    TestNode.Response unchanged =
        asApplication("GET", statePath()).header("If-None-Match", "\"1\"").send();
    assertEquals(304, unchanged.status(), unchanged.body());
    assertEquals("", unchanged.body());
    assertEquals("\"1\"", unchanged.raw().headers().firstValue("ETag").orElseThrow());

    TestNode.Response stale =
        asApplication("GET", statePath()).header("If-None-Match", "\"0\"").send();
    assertEquals(200, stale.status(), stale.body());
    assertEquals(15, stale.json().at("/desired/interval").asInt(), stale.body());

    TestNode.Response malformed =
        asApplication("GET", statePath()).header("If-None-Match", "1").send();
    assertEquals(400, malformed.status(), malformed.body());
    TestNode.Response deltaUnchanged =
        node.request("GET", statePath() + "/delta")
            .organization(device.org())
            .basic("use-token-auth", device.token())
            .header("If-None-Match", "W/\"1\"")
            .send();
    assertEquals(304, deltaUnchanged.status(), deltaUnchanged.body());
  }

  @Test
  void reportedPatchesReachTheHistorianWhereTheirNumbersAreSummarized() {
    assertEquals(200, asDevice("PATCH", statePath() + "/reported", "{\"temp\":21.5}").status());
    assertEquals(200, asDevice("PATCH", statePath() + "/reported", "{\"temp\":22.5}").status());

    JsonNode summary =
        TestNode.awaitValue(
            Duration.ofSeconds(60),
            () ->
                node.request(
                        "GET",
                        "/api/v0001/historian/thermostat/lab-1"
                            + "?evt_type=state&summarize=%7Btemp%7D&summarize_type=max")
                    .organization(apiKey.org())
                    .basic(apiKey.key(), apiKey.token())
                    .send()
                    .json(),
            body -> body.at("/evt/temp").asDouble() == 22.5);
    assertEquals(22.5, summary.at("/evt/temp").asDouble(), summary.toString());
  }

  private TestNode.Response desireWhen(String condition, String body) {
    return node.request(
            "PATCH",
            statePath()
                + "/desired?condition="
                + URLEncoder.encode(condition, StandardCharsets.UTF_8))
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token())
        .json(body)
        .send();
  }

  private TestNode.Response reportUnlessAnyReported(String patch) {
    return node.request("PATCH", statePath() + "/reported")
        .organization(device.org())
        .basic("use-token-auth", device.token())
        .header("If-None-Match", "*")
        .json(patch)
        .send();
  }

  @Test
  void theDevicesCreateOnlyReportAndDittoConditionsOnWrites() {
    TestNode.Response initial = reportUnlessAnyReported("{\"temp\":21}");
    assertEquals(200, initial.status(), initial.body());
    assertEquals(1, initial.json().get("version").asLong(), initial.body());
    TestNode.Response second = reportUnlessAnyReported("{\"temp\":22}");
    assertEquals(412, second.status(), second.body());
    assertEquals("\"1\"", second.raw().headers().firstValue("ETag").orElseThrow());

    TestNode.Response holds =
        desireWhen("and(eq(reported/temp,21),not(exists(desired/interval)))", "{\"interval\":15}");
    assertEquals(200, holds.status(), holds.body());
    assertEquals(2, holds.json().get("version").asLong(), holds.body());

    TestNode.Response fails = desireWhen("gt(version, 5)", "{\"interval\":30}");
    assertEquals(412, fails.status(), fails.body());
    assertTrue(fails.body().contains("condition does not hold"), fails.body());

    TestNode.Response malformed = desireWhen("eq(reported/temp 21)", "{\"interval\":30}");
    assertEquals(400, malformed.status(), malformed.body());
    assertTrue(malformed.body().contains("position 18"), malformed.body());

    JsonNode document = state().json();
    assertEquals(15, document.at("/desired/interval").asInt(), document.toString());
    assertEquals(21, document.at("/reported/temp").asInt(), document.toString());
    assertEquals(2, document.get("version").asLong(), "only the write whose condition held");
  }

  @Test
  void badInputIsRefusedPreciselyAndChangesNothing() {
    assertEquals(400, desire("[1]", null).status());
    TestNode.Response tooDeep = desire("{\"a\":".repeat(9) + "1" + "}".repeat(9), null);
    assertEquals(400, tooDeep.status());
    assertTrue(tooDeep.body().contains("8 levels"), tooDeep.body());
    TestNode.Response tooLarge = desire("{\"a\":\"" + "x".repeat(40_000) + "\"}", null);
    assertEquals(413, tooLarge.status());
    assertTrue(tooLarge.body().contains("32768"), tooLarge.body());
    TestNode.Response wrongVersion = desire("{\"a\":1}", "\"7\"");
    assertEquals(412, wrongVersion.status(), wrongVersion.body());
    assertEquals("\"0\"", wrongVersion.raw().headers().firstValue("ETag").orElse(null));
    TestNode.Response wrongType =
        node.request("PATCH", statePath() + "/desired")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .body("text/plain", "{\"a\":1}".getBytes())
            .send();
    assertEquals(415, wrongType.status(), wrongType.body());
    TestNode.Response wrongToken =
        node.request("PATCH", statePath() + "/reported")
            .organization(device.org())
            .basic("use-token-auth", "not-the-token")
            .json("{\"a\":1}")
            .send();
    assertEquals(401, wrongToken.status(), wrongToken.body());

    ApiKey other = new Fixtures(node).organizationWithApiKey();
    TestNode.Response foreign =
        node.request("GET", statePath())
            .organization(apiKey.org())
            .basic(other.key(), other.token())
            .send();
    assertEquals(403, foreign.status(), foreign.body());
    assertEquals(0, state().json().get("version").asLong(), "nothing changed");
  }
}
