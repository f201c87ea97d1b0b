package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IBM's HTTP API for applications on a real node, with the JDK HttpClient: an application posts an
 * event on a device's behalf (API key) and finds it in the device's last-event cache; bad input and
 * other organizations' keys are refused and record nothing.
 */
class ApplicationEventIT {
  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);

  private static TestNode.Response publishAsApplication(
      ApiKey apiKey, String org, Device device, String event, String contentType, String body) {
    return node.request(
            "POST",
            "/api/v0002/application/types/"
                + device.type()
                + "/devices/"
                + device.id()
                + "/events/"
                + event)
        .organization(org)
        .basic(apiKey.key(), apiKey.token())
        .body(contentType, body.getBytes(StandardCharsets.UTF_8))
        .send();
  }

  @Test
  void anApplicationsEventIsInTheDevicesLastEventCache() {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "meter", "m-1");

    TestNode.Response json =
        publishAsApplication(
            apiKey, apiKey.org(), device, "reading", "application/json", "{\"kwh\":12.5}");
    TestNode.Response xml =
        publishAsApplication(
            apiKey, apiKey.org(), device, "report", "text/xml; charset=utf-8", "<kwh>12.5</kwh>");

    assertEquals(200, json.status(), json.body());
    assertEquals(200, xml.status(), xml.body());
    TestNode.Response last =
        node.request("GET", "/api/v0002/device/types/meter/devices/m-1/events/reading")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(200, last.status(), last.body());
    assertEquals("json", last.json().get("format").asText());
    assertEquals(
        "{\"kwh\":12.5}",
        new String(Base64.getDecoder().decode(last.json().get("payload").asText())));
    JsonNode all = fixtures.lastEvents(apiKey, device).json();
    assertEquals(2, all.size(), all.toString());
    assertEquals("report", all.get(1).get("eventId").asText(), "ordered by event id");
    assertEquals("xml", all.get(1).get("format").asText());
  }

  @Test
  void refusalsArePreciseAndRecordNothing() {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    ApiKey foreign = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "meter", "m-2");
    Device unknown = new Device(apiKey.org(), "meter", "never-registered", "");
    ApiKey wrongToken = new ApiKey(apiKey.org(), apiKey.key(), "wrong-token-1234567");

    assertEquals(
        401,
        publishAsApplication(wrongToken, apiKey.org(), device, "e", "application/json", "{}")
            .status());
    assertEquals(
        403,
        publishAsApplication(foreign, apiKey.org(), device, "e", "application/json", "{}")
            .status());
    assertEquals(
        404,
        publishAsApplication(foreign, foreign.org(), device, "e", "application/json", "{}")
            .status(),
        "another organization's key addresses a device of its own organization");
    assertEquals(
        404,
        publishAsApplication(apiKey, apiKey.org(), unknown, "e", "application/json", "{}")
            .status());
    assertEquals(
        415, publishAsApplication(apiKey, apiKey.org(), device, "e", "text/csv", "a,b").status());
    assertEquals(
        400,
        publishAsApplication(apiKey, apiKey.org(), device, "e", "application/json", "{").status());
    assertEquals(
        413,
        publishAsApplication(
                apiKey, apiKey.org(), device, "e", "application/octet-stream", "x".repeat(200_000))
            .status());

    TestNode.Response events = fixtures.lastEvents(apiKey, device);
    assertEquals(200, events.status(), events.body());
    assertEquals(0, events.json().size(), events.body());
  }
}
