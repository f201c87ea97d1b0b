package io.entwine.integration.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BridgeRequestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode request() {
    ObjectNode request = JSON.createObjectNode();
    request.put("url", "mqtt://broker.example.com");
    request.put("clientId", "entwine-1");
    request.putArray("topics").addObject().put("filter", "sensors/+/telemetry").put("qos", 1);
    request.putObject("uplinkConverter").put("script", "return {deviceName: 'a'};");
    return request;
  }

  private static String refusal(ObjectNode request) {
    return assertThrows(BridgeRequests.InvalidBridge.class, () -> BridgeRequests.check(request))
        .getMessage();
  }

  @Test
  void acceptsAMinimalBridgeAndNormalisesTheUrlForPaho() throws Exception {
    BridgeRequests.Valid valid = BridgeRequests.check(request());
    assertEquals("tcp://broker.example.com:1883", valid.url());
    assertEquals(List.of(new BridgeConfig.Topic("sensors/+/telemetry", 1)), valid.topics());
    assertNull(valid.username());
    assertFalse(valid.allowCreateDevices());
  }

  @Test
  void mapsEveryUrlSchemeToPahosAndKeepsThePort() throws Exception {
    assertEquals("ssl://b:8883", BridgeRequests.brokerUrl("mqtts://b"));
    assertEquals("ssl://b:9999", BridgeRequests.brokerUrl("ssl://b:9999"));
    assertEquals("tcp://b:1884", BridgeRequests.brokerUrl("tcp://b:1884/"));
    assertEquals("tcp://[::1]:1883", BridgeRequests.brokerUrl("mqtt://[::1]"));
  }

  @Test
  void refusesUrlsThatAreNotABroker() {
    for (String url :
        List.of("http://b:80", "b:1883", "tcp://", "tcp://b:1883/path", "tcp://u:p@b", "%%")) {
      String message = refusal(request().put("url", url));
      assertTrue(message.startsWith("'url'"), url + ": " + message);
    }
  }

  @Test
  void refusesTopicFiltersWithMisplacedWildcards() {
    for (String filter : List.of("a/#/b", "a/b+", "a#", "")) {
      ObjectNode request = request();
      ((ObjectNode) request.withArray("topics").get(0)).put("filter", filter);
      assertTrue(refusal(request).startsWith("topics[0].filter"), filter);
    }
  }

  @Test
  void refusesQosOutsideZeroToTwoAndDefaultsToOne() throws Exception {
    ObjectNode request = request();
    ((ObjectNode) request.withArray("topics").get(0)).put("qos", 3);
    assertEquals("topics[0].qos must be 0, 1 or 2", refusal(request));
    ((ObjectNode) request.withArray("topics").get(0)).remove("qos");
    assertEquals(1, BridgeRequests.check(request).topics().get(0).qos());
  }

  @Test
  void refusesAConverterThatDoesNotCompile() {
    ObjectNode request = request();
    request.putObject("uplinkConverter").put("script", "return {deviceName: ;");
    assertTrue(refusal(request).startsWith("'uplinkConverter.script' does not compile"));
  }

  @Test
  void refusesMissingFieldsUnknownFieldsAndAPasswordWithoutUser() {
    assertEquals(
        "'clientId' is required (a non-empty string)",
        refusal((ObjectNode) request().remove(List.of("clientId"))));
    assertTrue(refusal(request().put("passwrd", "x")).startsWith("Unknown field 'passwrd'"));
    assertEquals("'password' needs a 'username'", refusal(request().put("password", "x")));
    ObjectNode noTopics = request();
    noTopics.putArray("topics");
    assertTrue(refusal(noTopics).startsWith("'topics' must be a non-empty array"));
    assertEquals(
        "'allowCreateDevices' must be true or false",
        refusal(request().put("allowCreateDevices", "yes")));
  }
}
