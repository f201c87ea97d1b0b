package io.entwine.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.wiotp.sdk.swagger.ApiClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Organizations, API keys and devices created through the real API, as a user would. */
public final class Fixtures {
  private static final AtomicInteger ORG_COUNTER = new AtomicInteger();

  public record ApiKey(String org, String key, String token) {}

  public record Device(String org, String type, String id, String token) {}

  private final TestNode node;

  private static final int BULK_REQUEST = 20;

  public Fixtures(TestNode node) {
    this.node = node;
  }

  /** A new organization with a unique id, and an API key of it. */
  public ApiKey organizationWithApiKey() {
    String org = "org" + System.nanoTime() % 1_000_000 + ORG_COUNTER.incrementAndGet();
    TestNode.Response created =
        node.request("POST", "/api/v0002/admin/organizations")
            .operator()
            .json("{\"id\":\"" + org + "\",\"name\":\"Test " + org + "\"}")
            .send();
    assertEquals(201, created.status(), created.body());
    return apiKey(org);
  }

  /**
   * IBM's Java SDK's HTTP client ({@code com.ibm.wiotp.sdk.swagger}), configured as a user would:
   * the node's address and an API key.
   */
  public ApiClient ibmSdk(ApiKey key) {
    ApiClient client = new ApiClient();
    client.setBasePath(node.baseUrl() + "/api/v0002");
    client.setUsername(key.key());
    client.setPassword(key.token());
    return client;
  }

  public ApiKey apiKey(String org) {
    TestNode.Response key =
        node.request("POST", "/api/v0002/admin/organizations/" + org + "/apikeys")
            .operator()
            .json("{\"description\":\"integration test\"}")
            .send();
    assertEquals(201, key.status(), key.body());
    JsonNode body = key.json();
    return new ApiKey(org, body.get("key").asText(), body.get("token").asText());
  }

  public Device register(ApiKey apiKey, String type, String id) {
    TestNode.Response registered =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"type\":\"" + type + "\",\"id\":\"" + id + "\"}")
            .send();
    assertEquals(201, registered.status(), registered.body());
    return new Device(apiKey.org(), type, id, registered.json().get("password").asText());
  }

  public TestNode.Response sendEvent(Device device, String event, String contentType, byte[] body) {
    return sendEvent(device, device.token(), event, contentType, body);
  }

  public TestNode.Response sendEvent(
      Device device, String token, String event, String contentType, byte[] body) {
    return node.request(
            "POST",
            "/api/v0002/device/types/"
                + device.type()
                + "/devices/"
                + device.id()
                + "/events/"
                + event)
        .organization(device.org())
        .basic("use-token-auth", token)
        .body(contentType, body)
        .send();
  }

  /**
   * {@code method} on IBM's platform API v0002 ({@code path} after {@code /api/v0002}) with the
   * key; JSON {@code body} or none.
   */
  /** Names {@code gatewayId} the only gateway in {@code device}'s {@code via}. */
  public void setVia(ApiKey apiKey, Device device, String gatewayId) {
    TestNode.Response set =
        v0002(
            apiKey,
            "PUT",
            "/device/types/" + device.type() + "/devices/" + device.id() + "/gateways",
            "{\"via\":[\"" + gatewayId + "\"]}");
    assertEquals(200, set.status(), set.body());
  }

  public TestNode.Response v0002(ApiKey apiKey, String method, String path, String body) {
    TestNode.RequestBuilder request =
        node.request(method, "/api/v0002" + path)
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token());
    return (body == null ? request : request.json(body)).send();
  }

  public TestNode.Response lastEvents(ApiKey apiKey, Device device) {
    return node.request(
            "GET",
            "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/events")
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token())
        .send();
  }

  /**
   * Creates the device type {@code type}, registers {@code count} devices of it, {@link
   * #bulkDeviceId} 0, 1, …, through IBM's bulk API, and waits until the registry lists them all. 20
   * a request: each registration hashes a token, and on a loaded machine 100 took longer than the
   * node's 20 s request timeout.
   */
  public void registerInBulk(ApiKey apiKey, String type, int count) {
    TestNode.Response typeCreated =
        v0002(apiKey, "POST", "/device/types", "{\"id\":\"" + type + "\"}");
    assertEquals(201, typeCreated.status(), typeCreated.body());
    for (int from = 0; from < count; from += BULK_REQUEST) {
      StringBuilder body = new StringBuilder("[");
      for (int i = from; i < Math.min(count, from + BULK_REQUEST); i++) {
        body.append(i == from ? "" : ",")
            .append("{\"typeId\":\"")
            .append(type)
            .append("\",\"deviceId\":\"")
            .append(bulkDeviceId(i))
            .append("\"}");
      }
      TestNode.Response added = v0002(apiKey, "POST", "/bulk/devices/add", body + "]");
      assertEquals(201, added.status(), added.body());
    }
    TestNode.awaitValue(
        Duration.ofSeconds(120),
        () ->
            v0002(apiKey, "GET", "/device/types/" + type + "/devices?_limit=1", null)
                .json()
                .path("meta")
                .path("total_rows")
                .asInt(),
        total -> total == count);
  }

  /** The id of the {@code i}th device {@link #registerInBulk} registers: d-0000, d-0001, … */
  public static String bulkDeviceId(int i) {
    return String.format(java.util.Locale.ROOT, "d-%04d", i);
  }
}
