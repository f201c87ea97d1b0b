package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.EntwineRun;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON events in encodings other than plain UTF-8, sent as real clients send them (JDK HttpClient,
 * Paho) to a node started as {@code entwine run} starts it: a UTF-8 byte order mark is dropped,
 * UTF-16 is refused (400 over HTTP, a closed connection over MQTT), and the historian's answer for
 * the organization stays valid JSON.
 */
class PayloadEncodingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ApiClient API = new ApiClient(EntwineRun.ADMIN_TOKEN);
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @TempDir static Path dataDir;
  private static EntwineRun node;
  private static ApiKey apiKey;
  private static Device device;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    node = EntwineRun.start(dataDir, Map.of());
    apiKey = API.organizationWithApiKey(node.baseUrl());
    device = API.register(node.baseUrl(), apiKey, "meter", "m1");
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aByteOrderMarkIsDroppedUtf16IsRefusedAndTheHistorianAnswerStaysJson() throws Exception {
    HttpResponse<String> withBom = event("bom", withBom("{\"d\":{\"v\":1}}"));
    assertEquals(200, withBom.statusCode(), withBom.body());

    HttpResponse<String> utf16 =
        event("utf16", "{\"d\":{\"v\":2}}".getBytes(StandardCharsets.UTF_16));
    assertEquals(400, utf16.statusCode(), utf16.body());
    assertTrue(utf16.body().contains("UTF-8"), utf16.body());

    MqttClient mqtt = mqttDevice();
    try {
      mqtt.publish("iot-2/evt/mqttbom/fmt/json", withBom("{\"d\":{\"v\":3}}"), 1, false);
      assertThrows(
          MqttException.class,
          () ->
              mqtt.publish(
                  "iot-2/evt/mqtt16/fmt/json",
                  "{\"d\":{\"v\":4}}".getBytes(StandardCharsets.UTF_16LE),
                  1,
                  false),
          "a UTF-16 JSON event ends the connection, unacknowledged");
    } finally {
      mqtt.close(true);
    }

    JsonNode events =
        TestNode.awaitValue(
            Duration.ofSeconds(60),
            () -> historian().get(),
            answer -> answer != null && answer.size() >= 2);
    assertEquals(2, events.size(), "only the two UTF-8 events were recorded: " + events);
    for (JsonNode event : events) {
      assertTrue(event.get("evt").isObject(), "evt holds the JSON value: " + event);
    }
    assertEquals(3, events.get(0).get("evt").get("d").get("v").asInt(), events.toString());
    assertEquals(1, events.get(1).get("evt").get("d").get("v").asInt(), events.toString());

    JsonNode last = JSON.readTree(get("/api/v0002/device/types/meter/devices/m1/events/bom"));
    assertEquals(
        "{\"d\":{\"v\":1}}",
        new String(
            Base64.getDecoder().decode(last.get("payload").asText()), StandardCharsets.UTF_8),
        "the byte order mark is not stored");
  }

  /** The historian's answer parsed as JSON (null while it is not), or fails when it is no JSON. */
  private java.util.function.Supplier<JsonNode> historian() {
    return () -> {
      String body = get("/api/v0001/historian/meter/m1?top=10");
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("The historian's answer is not JSON: " + body, e);
      }
    };
  }

  private HttpResponse<String> event(String eventId, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    node.baseUrl() + "/api/v0002/device/types/meter/devices/m1/events/" + eventId))
            .header("Host", apiKey.org() + ".localhost")
            .header("Authorization", basic("use-token-auth", device.token()))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(String path) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
                  .header("Host", apiKey.org() + ".localhost")
                  .header("Authorization", basic(apiKey.key(), apiKey.token()))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      return response.body();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static MqttClient mqttDevice() throws MqttException {
    MqttClient client =
        new MqttClient(
            node.mqttUri(),
            "d:" + device.org() + ":" + device.type() + ":" + device.id(),
            new MemoryPersistence());
    client.setTimeToWait(Duration.ofSeconds(20).toMillis());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName("use-token-auth");
    options.setPassword(device.token().toCharArray());
    options.setCleanSession(true);
    client.connect(options);
    return client;
  }

  private static byte[] withBom(String json) {
    byte[] text = json.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[BOM.length + text.length];
    System.arraycopy(BOM, 0, bytes, 0, BOM.length);
    System.arraycopy(text, 0, bytes, BOM.length, text.length);
    return bytes;
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
