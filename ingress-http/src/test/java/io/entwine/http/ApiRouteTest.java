package io.entwine.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.credentials.Credentials;
import io.entwine.http.admin.AdminRoutes;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Json;
import io.entwine.http.hono.DeviceCredentialRoutes;
import io.entwine.http.hono.HonoRoutes;
import io.entwine.http.ibm.BulkRoutes;
import io.entwine.http.ibm.CommandRoutes;
import io.entwine.http.ibm.DeviceEventRoutes;
import io.entwine.http.ibm.DeviceManagementRoutes;
import io.entwine.http.ibm.DeviceTypeRoutes;
import io.entwine.http.ibm.PlatformDeviceRoutes;
import io.entwine.http.ibm.ResourceGroupRoutes;
import io.entwine.http.integrations.AttributeRoutes;
import io.entwine.http.integrations.IntegrationRoutes;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.http.server.HealthRoutes;
import io.entwine.http.server.HttpSettings;
import io.entwine.http.state.StateRoutes;
import io.entwine.http.tencent.TencentRoutes;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.HttpIntegrations;
import io.entwine.integration.script.Converters;
import io.entwine.registry.view.InMemoryRegistryRepository;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.BasicHttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole HTTP API as the node assembles it, over the shared test cluster, with request builders
 * for the three kinds of caller and assertions for IBM-style error bodies.
 */
@ExtendWith(TestClusterExtension.class)
public abstract class ApiRouteTest extends JUnit5RouteTest {
  public static final String DOMAIN = "localhost";
  public static final String ADMIN_TOKEN = "admin-token";
  public static final int MAX_PAYLOAD_BYTES = 131072;
  public static final HttpSettings SETTINGS =
      new HttpSettings("127.0.0.1", 0, DOMAIN, ADMIN_TOKEN, MAX_PAYLOAD_BYTES);
  public static final String ORGANIZATIONS = "/api/v0002/admin/organizations";
  public static final String DEVICES = "/api/v0001/devices";
  public static final Duration TENCENT_WINDOW = Duration.ofMinutes(5);

  private static final AtomicInteger ORG_COUNTER = new AtomicInteger();

  public final TestCluster cluster;
  public final InMemoryRegistryRepository registry = new InMemoryRegistryRepository();
  public final TestRoute api;

  public ApiRouteTest(TestCluster cluster) {
    super(cluster.system());
    this.cluster = cluster;
    this.api = testRoute(routes(cluster.gateway()));
  }

  /** The routes and their order as {@code EntwineNode} assembles them, over {@code gateway}. */
  public Route routes(TwinGateway gateway) {
    Authentication authentication = new Authentication(gateway, SETTINGS);
    // No settings cache: a test's change of limits or adapter configuration applies at once.
    OrganizationPolicies policies = new OrganizationPolicies(gateway, Duration.ZERO, () -> 1);
    return new EntwineRoutes(
            new HealthRoutes(List.of()).route(),
            new AdminRoutes(gateway, cluster.secrets(), authentication, policies).route(),
            new DeviceManagementRoutes(gateway, registry, authentication).route(),
            new DeviceTypeRoutes(gateway, registry, authentication).route(),
            new PlatformDeviceRoutes(gateway, registry, authentication).route(),
            new BulkRoutes(gateway, registry, authentication).route(),
            new ResourceGroupRoutes(gateway, registry, authentication).route(),
            new AttributeRoutes(gateway, authentication, SETTINGS).route(),
            new StateRoutes(gateway, authentication).route(),
            new IntegrationRoutes(
                    new HttpIntegrations(
                        cluster.system(),
                        gateway,
                        Converters.get(cluster.system()),
                        Credentials.get(cluster.system()).secretBox(),
                        policies),
                    authentication,
                    SETTINGS)
                .route(),
            new DeviceEventRoutes(gateway, policies, authentication, SETTINGS).route(),
            new DeviceCredentialRoutes(
                    gateway,
                    cluster.secrets(),
                    Credentials.get(cluster.system()).secretBox(),
                    authentication)
                .route(),
            new CommandRoutes(gateway, authentication, SETTINGS).route(),
            new HonoRoutes(gateway, policies, SETTINGS).route(),
            new TencentRoutes(
                    gateway,
                    policies,
                    Credentials.get(cluster.system()).secretBox(),
                    authentication,
                    SETTINGS,
                    TENCENT_WINDOW)
                .route())
        .route();
  }

  // ---- who calls ----

  public record ApiKey(String org, String key, String token) {}

  public record Device(String org, String type, String id, String password) {
    public DeviceKey key() {
      return new DeviceKey(org, type, id);
    }

    public String eventsPath() {
      return "/api/v0002/device/types/" + type + "/devices/" + id + "/events";
    }

    public String statePath() {
      return "/api/v0002/device/types/" + type + "/devices/" + id + "/state";
    }
  }

  /** An organization id no other test uses (the cluster is shared by the whole run). */
  public static String uniqueOrg(String prefix) {
    return prefix + ORG_COUNTER.incrementAndGet();
  }

  public static HttpRequest asOperator(HttpRequest request) {
    return request.addCredentials(HttpCredentials.createOAuth2BearerToken(ADMIN_TOKEN));
  }

  public static HttpRequest toOrg(String org, HttpRequest request) {
    return request.addHeader(Host.create(org + "." + DOMAIN));
  }

  public static HttpRequest withApiKey(ApiKey key, HttpRequest request) {
    return toOrg(key.org(), request).addCredentials(basic(key.key(), key.token()));
  }

  public static HttpRequest asDevice(Device device, HttpRequest request) {
    return toOrg(device.org(), request)
        .addCredentials(basic(Authentication.DEVICE_USERNAME, device.password()));
  }

  public static BasicHttpCredentials basic(String username, String password) {
    return HttpCredentials.createBasicHttpCredentials(username, password);
  }

  public static HttpRequest withJson(HttpRequest request, String body) {
    return request.withEntity(ContentTypes.APPLICATION_JSON, body);
  }

  // ---- fixtures, made through the API itself ----

  public String createOrganization(String org) {
    TestRouteResult created =
        api.run(
            asOperator(
                withJson(
                    HttpRequest.POST(ORGANIZATIONS),
                    "{\"id\":\"" + org + "\",\"name\":\"Org " + org + "\"}")));
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    return org;
  }

  public void setLimits(String org, String json) {
    TestRouteResult set =
        api.run(asOperator(withJson(HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/limits"), json)));
    assertEquals(StatusCodes.OK, set.status(), set.entityString());
  }

  public ApiKey createApiKey(String org) {
    TestRouteResult created =
        api.run(asOperator(HttpRequest.POST(ORGANIZATIONS + "/" + org + "/apikeys")));
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    JsonNode body = body(created);
    return new ApiKey(org, body.get("key").asText(), body.get("token").asText());
  }

  public ApiKey organizationWithApiKey(String prefix) {
    return createApiKey(createOrganization(uniqueOrg(prefix)));
  }

  public Device registerDevice(ApiKey key, String type, String id) {
    TestRouteResult created =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST(DEVICES),
                    "{\"type\":\"" + type + "\",\"id\":\"" + id + "\"}")));
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    return new Device(key.org(), type, id, body(created).get("password").asText());
  }

  /**
   * Makes the device {@code gatewayId} (of the same organization) the gateway of {@code target}.
   */
  public void setVia(ApiKey key, Device target, String gatewayId) {
    TestRouteResult set =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT(
                        "/api/v0002/device/types/"
                            + target.type()
                            + "/devices/"
                            + target.id()
                            + "/gateways"),
                    "{\"via\":[\"" + gatewayId + "\"]}")));
    assertEquals(StatusCodes.OK, set.status(), set.entityString());
  }

  public TestRouteResult publish(Device device, String eventId, ContentType type, byte[] payload) {
    return api.run(
        asDevice(
            device,
            HttpRequest.POST(device.eventsPath() + "/" + eventId).withEntity(type, payload)));
  }

  public TestRouteResult publishJson(Device device, String eventId, String json) {
    return api.run(
        asDevice(device, withJson(HttpRequest.POST(device.eventsPath() + "/" + eventId), json)));
  }

  // ---- assertions ----

  public static JsonNode body(TestRouteResult result) {
    assertEquals("application/json", result.mediaTypeString(), result.entityString());
    return parse(result.entityString());
  }

  public static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An IBM-style error, {@code {"message": "...", "rc": status}}, whose message has the part. */
  public static JsonNode assertError(
      TestRouteResult result, StatusCode status, String messagePart) {
    assertEquals(status, result.status(), result.entityString());
    JsonNode body = body(result);
    assertEquals(status.intValue(), body.path("rc").asInt(), result.entityString());
    String message = body.path("message").asText();
    assertTrue(
        message.contains(messagePart),
        () -> "message '" + message + "' should contain '" + messagePart + "'");
    return body;
  }

  /** A 401 with the challenge RFC 9110 requires. */
  public static void assertUnauthorized(TestRouteResult result, String scheme, String messagePart) {
    assertError(result, StatusCodes.UNAUTHORIZED, messagePart);
    String challenge =
        result
            .response()
            .getHeader("WWW-Authenticate")
            .map(HttpHeader::value)
            .orElseThrow(() -> new AssertionError("no WWW-Authenticate header"));
    assertEquals(scheme + " realm=\"entwine\"", challenge);
  }
}
