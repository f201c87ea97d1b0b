package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What was acknowledged is there after the node stops and starts again on the same Cassandra. */
class RecoveryIT {

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "boiler", id = "b-7")
  private Device device;

  @Test
  void organizationsKeysDevicesAndEventsSurviveARestart() throws Exception {
    // more events than the snapshot interval, so recovery uses a snapshot and the events after it
    for (int i = 0; i < 105; i++) {
      byte[] body = ("{\"d\":{\"n\":" + i + "}}").getBytes(StandardCharsets.UTF_8);
      assertEquals(200, fixtures.sendEvent(device, "count", "application/json", body).status());
    }

    node.restart();

    JsonNode events = fixtures.lastEvents(apiKey, device).json();
    assertEquals(1, events.size(), events.toString());
    assertEquals(
        "{\"d\":{\"n\":104}}",
        new String(Base64.getDecoder().decode(events.get(0).get("payload").asText())));
    assertEquals(
        200,
        fixtures
            .sendEvent(device, "count", "text/plain", "after".getBytes(StandardCharsets.UTF_8))
            .status(),
        "the device token still works after recovery");
    assertEquals(
        "Test " + apiKey.org(),
        node.request("GET", "/api/v0001/")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send()
            .json()
            .get("name")
            .asText());
  }
}
