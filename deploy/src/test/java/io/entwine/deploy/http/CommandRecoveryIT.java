package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A queued command, a credential and the gateway list survive the node's restart: the device
 * authenticates with its Hono credential afterwards and gets the command with 200.
 */
class CommandRecoveryIT {

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey apiKey;

  @Test
  void queuedCommandSurvivesARestartAndIsDeliveredAfterIt() throws Exception {
    fixtures.register(apiKey, "valve", "v-1");
    TestNode.Response added =
        node.request("POST", "/api/v0002/device/types/valve/devices/v-1/credentials")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"type\":\"hashed-password\",\"auth-id\":\"valve1\",\"secret\":\"v-secret\"}")
            .send();
    assertEquals(201, added.status(), added.body());
    TestNode.Response sent =
        node.request("POST", "/api/v0002/application/types/valve/devices/v-1/commands/close")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .body("text/plain", "now".getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .send();
    assertEquals(202, sent.status(), sent.body());
    String commandId = sent.json().get("commandId").asText();

    node.restart();

    TestNode.Response listed =
        node.request("GET", "/api/v0002/application/types/valve/devices/v-1/commands")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(200, listed.status(), listed.body());
    assertEquals("queued", listed.json().get(0).get("status").asText());
    TestNode.Response delivered =
        node.request("POST", "/telemetry")
            .basic("valve1@" + apiKey.org(), "v-secret")
            .header("hono-ttd", "5")
            .json("{\"pressure\":2}")
            .send();
    assertEquals(200, delivered.status(), delivered.body());
    assertEquals(commandId, delivered.raw().headers().firstValue("hono-cmd-req-id").orElseThrow());
    assertEquals("close", delivered.raw().headers().firstValue("hono-command").orElseThrow());
    assertEquals("now", delivered.body());
  }
}
