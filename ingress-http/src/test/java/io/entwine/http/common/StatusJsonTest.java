package io.entwine.http.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.integration.mqtt.BridgeStatus;
import org.junit.jupiter.api.Test;

/** A status reply renders as its entity's id beside the status's own fields, not nested. */
class StatusJsonTest {

  @Test
  void unwrapsTheStatusBesideTheId() throws Exception {
    JsonNode json =
        Json.MAPPER.readTree(
            Json.MAPPER.writeValueAsBytes(
                new RememberedStreamRoutes.StatusJson(
                    "bridge-1", new BridgeStatus(false, null, 0, 0, 0, 0, null, null))));

    assertEquals("bridge-1", json.get("id").asText());
    assertFalse(json.get("connected").asBoolean());
    assertEquals(0, json.get("messages").asLong());
    assertFalse(json.has("status"));
  }
}
