package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.EntwineRun;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one integration message and one organization may create, on a node started as {@code
 * deploy/bin/entwine run} starts it (issue 23, defect 7): a converter result naming 1,000 devices
 * is refused at once and creates none; the operator's device quota refuses the next device over the
 * IBM API and over an integration, and registers nothing.
 */
class ConverterLimitsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ApiClient API = new ApiClient(EntwineRun.ADMIN_TOKEN);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path dataDir;
  private static EntwineRun node;

  @BeforeAll
  static void start() {
    // Time is not what this test is about: a loaded host must not turn a refusal into a timeout.
    node = EntwineRun.start(dataDir, Map.of("ENTWINE_CONVERTER_TIMEOUT_MS", "10000"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aConverterResultOfAThousandDevicesIsRefusedAtOnceAndCreatesNone() throws Exception {
    ApiKey apiKey = API.organizationWithApiKey(node.baseUrl());
    String routingKey =
        integration(
            apiKey,
            "var r = []; for (var i = 0; i < 1000; i++) r.push({deviceName: 'many-' + i,"
                + " telemetry: {v: i}}); return r;");

    HttpResponse<String> sent = post("/api/v1/integrations/http/" + routingKey, "{}", null);

    assertEquals(400, sent.statusCode(), sent.body());
    JsonNode body = JSON.readTree(sent.body());
    assertEquals("TOO_LARGE", body.get("error").asText(), sent.body());
    assertTrue(body.get("message").asText().contains("1000 devices"), sent.body());
    for (String id : new String[] {"many-0", "many-500", "many-999"}) {
      ApiClient.Response device =
          API.withApiKey(node.baseUrl(), apiKey, "GET", "/api/v0001/devices/default/" + id, null);
      assertEquals(404, device.status(), id + ": " + device.body());
    }
    assertTrue(node.isAlive(), "the node exited; see " + node.log());
  }

  @Test
  void theOperatorsDeviceQuotaRefusesTheNextDeviceOverTheApiAndIntegrations() throws Exception {
    ApiKey apiKey = API.organizationWithApiKey(node.baseUrl());
    HttpResponse<String> limits =
        post(
            "/api/v0002/admin/organizations/" + apiKey.org() + "/limits",
            "{\"max-devices\":2}",
            "PUT");
    assertEquals(200, limits.statusCode(), limits.body());
    API.register(node.baseUrl(), apiKey, "sensor", "quota-1");
    String routingKey =
        integration(
            apiKey,
            "var d = decodeToJson(payload); return {deviceName: d.n, deviceType: 'sensor',"
                + " telemetry: {t: 1}};");
    assertEquals(
        204,
        post("/api/v1/integrations/http/" + routingKey, "{\"n\":\"quota-2\"}", null).statusCode());

    ApiClient.Response third =
        API.withApiKey(
            node.baseUrl(),
            apiKey,
            "POST",
            "/api/v0001/devices",
            "{\"type\":\"sensor\",\"id\":\"quota-3\"}");
    assertEquals(403, third.status(), third.body());
    assertTrue(third.body().contains("at most 2 devices"), third.body());
    HttpResponse<String> byIntegration =
        post("/api/v1/integrations/http/" + routingKey, "{\"n\":\"quota-4\"}", null);
    assertEquals(403, byIntegration.statusCode(), byIntegration.body());
    assertTrue(byIntegration.body().contains("at most 2 devices"), byIntegration.body());

    for (String id : new String[] {"quota-3", "quota-4"}) {
      ApiClient.Response device =
          API.withApiKey(node.baseUrl(), apiKey, "GET", "/api/v0001/devices/sensor/" + id, null);
      assertEquals(404, device.status(), id + ": " + device.body());
    }
    assertEquals(
        204,
        post("/api/v1/integrations/http/" + routingKey, "{\"n\":\"quota-2\"}", null).statusCode());
  }

  private static String integration(ApiKey apiKey, String decoder) throws IOException {
    String spec =
        JSON.createObjectNode()
            .put("name", "limits")
            .put("type", "HTTP")
            .set("uplinkConverter", JSON.createObjectNode().put("script", decoder))
            .toString();
    ApiClient.Response created =
        API.withApiKey(node.baseUrl(), apiKey, "POST", "/api/v0002/integrations", spec);
    assertEquals(201, created.status(), created.body());
    return created.json().get("routingKey").asText();
  }

  /** POST without credentials (an integration's sender), or an operator's {@code method}. */
  private static HttpResponse<String> post(String path, String body, String operatorMethod)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json");
    if (operatorMethod != null) {
      request
          .header("Authorization", "Bearer " + EntwineRun.ADMIN_TOKEN)
          .method(operatorMethod, HttpRequest.BodyPublishers.ofString(body));
    } else {
      request.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
