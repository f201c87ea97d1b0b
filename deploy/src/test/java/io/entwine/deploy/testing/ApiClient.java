package io.entwine.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP API of a node given by its base URL, for tests whose nodes run in other processes
 * ({@link NodeProcess}); the same calls as {@link Fixtures}. A request that fails at the transport
 * level (refused, reset, timed out) answers status {@value #NO_ANSWER}.
 */
public final class ApiClient {
  public static final int NO_ANSWER = -1;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger ORG_COUNTER = new AtomicInteger();

  static {
    // The JDK client refuses to set Host unless allowed; IBM clients address ORG.domain by Host.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String adminToken;

  public ApiClient(String adminToken) {
    this.adminToken = adminToken;
  }

  public record Response(int status, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON: " + body, e);
      }
    }

    public boolean answered() {
      return status != NO_ANSWER;
    }
  }

  public ApiKey organizationWithApiKey(String baseUrl) {
    String org = "org" + System.nanoTime() % 1_000_000 + ORG_COUNTER.incrementAndGet();
    Response created =
        send(
            baseUrl,
            "POST",
            "/api/v0002/admin/organizations",
            null,
            "Bearer " + adminToken,
            json("{\"id\":\"" + org + "\",\"name\":\"Test " + org + "\"}"),
            Duration.ofSeconds(30));
    assertEquals(201, created.status(), created.body());
    Response key =
        send(
            baseUrl,
            "POST",
            "/api/v0002/admin/organizations/" + org + "/apikeys",
            null,
            "Bearer " + adminToken,
            json("{\"description\":\"integration test\"}"),
            Duration.ofSeconds(30));
    assertEquals(201, key.status(), key.body());
    return new ApiKey(org, key.json().get("key").asText(), key.json().get("token").asText());
  }

  public Device register(String baseUrl, ApiKey apiKey, String type, String id) {
    Response registered =
        send(
            baseUrl,
            "POST",
            "/api/v0001/devices",
            apiKey.org(),
            basic(apiKey.key(), apiKey.token()),
            json("{\"type\":\"" + type + "\",\"id\":\"" + id + "\"}"),
            Duration.ofSeconds(30));
    assertEquals(201, registered.status(), registered.body());
    return new Device(apiKey.org(), type, id, registered.json().get("password").asText());
  }

  /** IBM HTTP device event; 200 means persisted. */
  public Response sendEvent(
      String baseUrl, Device device, String event, String jsonBody, Duration timeout) {
    return send(
        baseUrl,
        "POST",
        "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/events/" + event,
        device.org(),
        basic("use-token-auth", device.token()),
        json(jsonBody),
        timeout);
  }

  /** The device's last-event cache, read with the organization's API key (asks the twin). */
  public Response lastEvents(String baseUrl, ApiKey apiKey, Device device, Duration timeout) {
    return send(
        baseUrl,
        "GET",
        "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/events",
        apiKey.org(),
        basic(apiKey.key(), apiKey.token()),
        HttpRequest.BodyPublishers.noBody(),
        timeout);
  }

  /** Any request of the organization's API key; {@code jsonBody} null for none. */
  public Response withApiKey(
      String baseUrl, ApiKey apiKey, String method, String path, String jsonBody) {
    return send(
        baseUrl,
        method,
        path,
        apiKey.org(),
        basic(apiKey.key(), apiKey.token()),
        jsonBody == null ? HttpRequest.BodyPublishers.noBody() : json(jsonBody),
        Duration.ofSeconds(30));
  }

  /**
   * Every record of a historian query ({@code pathAndQuery} below {@code /api/v0001/historian}),
   * following {@code cursorId} with the session cookie page by page; fails on any other status.
   */
  public List<JsonNode> historian(String baseUrl, ApiKey apiKey, String pathAndQuery) {
    List<JsonNode> records = new ArrayList<>();
    String cursor = null;
    String cookie = null;
    for (int page = 0; page < 10_000; page++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(baseUrl + "/api/v0001/historian" + pathAndQuery))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", basic(apiKey.key(), apiKey.token()))
              .header("Host", apiKey.org() + ".localhost");
      if (cursor != null) {
        request.header("cursorId", cursor).header("Cookie", "iotHistorianSessionId=" + cookie);
      }
      HttpResponse<String> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new AssertionError("historian " + pathAndQuery + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      assertEquals(200, response.statusCode(), pathAndQuery + ": " + response.body());
      new Response(200, response.body()).json().forEach(records::add);
      cursor = response.headers().firstValue("cursorId").orElse(null);
      if (cursor == null) {
        return records;
      }
      String setCookie = response.headers().firstValue("set-cookie").orElseThrow();
      cookie = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }
    throw new AssertionError("More than 10,000 pages of " + pathAndQuery);
  }

  private static HttpRequest.BodyPublisher json(String json) {
    return HttpRequest.BodyPublishers.ofString(json);
  }

  private Response send(
      String baseUrl,
      String method,
      String path,
      String org,
      String authorization,
      HttpRequest.BodyPublisher body,
      Duration timeout) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(timeout)
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .method(method, body);
    if (org != null) {
      builder.header("Host", org + ".localhost");
    }
    try {
      HttpResponse<String> response =
          client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Response(NO_ANSWER, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(NO_ANSWER, "interrupted");
    }
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
