package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IBM's HTTP API for applications: {@code POST /api/v0002/application/types/{T}/devices/{ID}/events
 * /{E}} with an API key records an event on the device's behalf, through the device events'
 * admission; every refusal records nothing.
 */
class ApplicationEventRoutesTest extends ApiRouteTest {
  ApplicationEventRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @Test
  void recordsAnEventOnTheDevicesBehalfAndShowsItInTheLastEventCache() {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p1");
    String payload = "{\"d\":{\"temp\":19.5}}";

    TestRouteResult published = publishAsApplication(key, device, "status", json(payload));

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    assertEquals("", published.entityString());
    JsonNode last = lastEvent(key, device, "status");
    assertEquals("json", last.get("format").asText());
    assertEquals(base64(payload), last.get("payload").asText());
    assertEquals(1, recorded(device.key()));
  }

  @ParameterizedTest(name = "{0} is recorded as {1}")
  @CsvSource({
    "application/xml, xml",
    "text/xml, xml",
    "text/xml; charset=UTF-8, xml",
    "application/html, xml",
    "text/plain, text",
    "application/octet-stream, bin"
  })
  void recordsTheFormatOfTheContentType(String contentType, String format) {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p2");
    byte[] payload = "<reading temp=\"20\"/>".getBytes(StandardCharsets.UTF_8);

    TestRouteResult published =
        publishAsApplication(
            key, device, "reading", HttpRequestBody.of(ContentTypes.parse(contentType), payload));

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    JsonNode last = lastEvent(key, device, "reading");
    assertEquals(format, last.get("format").asText());
    assertArrayEquals(payload, Base64.getDecoder().decode(last.get("payload").asText()));
  }

  @Test
  void answersAnUnknownDeviceWith404() {
    ApiKey key = organizationWithApiKey("app");
    Device unknown = new Device(key.org(), "sensor", "never-registered", "");

    TestRouteResult published = publishAsApplication(key, unknown, "status", json("{}"));

    assertError(published, StatusCodes.NOT_FOUND, "is not registered");
    assertEquals(0, recorded(unknown.key()));
  }

  @Test
  void refusesAWrongApiKeyTokenAndADevicesToken() {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p3");
    ApiKey wrongToken = new ApiKey(key.org(), key.key(), "wrong-token-12345");
    HttpRequest event = applicationEvent(device, "status", json("{}"));

    assertUnauthorized(
        api.run(withApiKey(wrongToken, event)), "Basic", Reply.Rejected.UNAUTHORIZED_MESSAGE);
    assertUnauthorized(
        api.run(asDevice(device, event)), "Basic", Reply.Rejected.UNAUTHORIZED_MESSAGE);
    assertUnauthorized(
        api.run(toOrg(device.org(), event)), "Basic", "HTTP Basic authentication required");
    assertEquals(0, recorded(device.key()));
  }

  @Test
  void neverReachesAnotherOrganizationsDevice() {
    ApiKey key = organizationWithApiKey("app");
    ApiKey foreign = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p4");

    TestRouteResult toItsHost =
        publishAsApplication(
            new ApiKey(key.org(), foreign.key(), foreign.token()), device, "status", json("{}"));
    TestRouteResult toOwnHost = publishAsApplication(foreign, device, "status", json("{}"));

    assertError(toItsHost, StatusCodes.FORBIDDEN, "does not belong to organization " + key.org());
    assertError(toOwnHost, StatusCodes.NOT_FOUND, "is not registered");
    assertEquals(0, recorded(device.key()));
    assertEquals(0, recorded(new DeviceKey(foreign.org(), device.type(), device.id())));
  }

  @Test
  void refusesAnUnsupportedContentTypeAndInvalidJson() {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p5");

    assertError(
        publishAsApplication(
            key, device, "status", HttpRequestBody.of(ContentTypes.TEXT_CSV_UTF8, new byte[1])),
        StatusCodes.UNSUPPORTED_MEDIA_TYPE,
        "Unsupported Content-Type 'text/csv'");
    assertError(
        publishAsApplication(key, device, "status", json("{\"temp\":")),
        StatusCodes.BAD_REQUEST,
        "Invalid JSON");
    assertEquals(0, recorded(device.key()));
  }

  @Test
  void refusesAPayloadOverTheLimit() {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p6");
    byte[] big = new byte[MAX_PAYLOAD_BYTES + 1];
    Arrays.fill(big, (byte) 'x');

    TestRouteResult published =
        publishAsApplication(
            key, device, "big", HttpRequestBody.of(ContentTypes.APPLICATION_OCTET_STREAM, big));

    assertError(published, StatusCodes.PAYLOAD_TOO_LARGE, "larger than the limit");
    assertEquals(0, recorded(device.key()));
  }

  @Test
  void passesTheOrganizationsAdmission() {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p7");
    setLimits(
        key.org(), "{\"max-payload-bytes\":8,\"messages-per-period\":1,\"period-seconds\":3600}");

    assertError(
        publishAsApplication(key, device, "status", json("{\"n\":123}")),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "limit of 8 bytes");
    assertEquals(
        StatusCodes.OK, publishAsApplication(key, device, "status", json("{\"n\":1}")).status());
    assertError(
        publishAsApplication(key, device, "status", json("{\"n\":2}")),
        StatusCodes.TOO_MANY_REQUESTS,
        "message limit of 1 per 3600 s");
    assertEquals(1, recorded(device.key()));
  }

  @Test
  void refusesWhileTheOrganizationHasTheIbmHttpAdapterSwitchedOff() {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p8");
    TestRouteResult off =
        api.run(
            asOperator(
                withJson(
                    HttpRequest.PUT(ORGANIZATIONS + "/" + key.org() + "/adapters/ibm-http"),
                    "{\"enabled\":false}")));
    assertEquals(StatusCodes.OK, off.status(), off.entityString());

    assertError(
        publishAsApplication(key, device, "status", json("{}")),
        StatusCodes.FORBIDDEN,
        "is not allowed to use the IBM HTTP adapter");
    assertEquals(0, recorded(device.key()));
  }

  @Test
  void rejectsAnInvalidEventIdBeforeAuthentication() {
    ApiKey key = organizationWithApiKey("app");
    Device device = registerDevice(key, "sensor", "p9");

    assertError(
        api.run(toOrg(key.org(), applicationEvent(device, "bad%20id", json("{}")))),
        StatusCodes.BAD_REQUEST,
        "Invalid event id 'bad id'");
    assertEquals(0, recorded(device.key()));
  }

  // ---- helpers ----

  private record HttpRequestBody(ContentType type, byte[] bytes) {
    static HttpRequestBody of(ContentType type, byte[] bytes) {
      return new HttpRequestBody(type, bytes);
    }
  }

  private static HttpRequestBody json(String json) {
    return HttpRequestBody.of(ContentTypes.APPLICATION_JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpRequest applicationEvent(Device device, String eventId, HttpRequestBody body) {
    return HttpRequest.POST(
            "/api/v0002/application/types/"
                + device.type()
                + "/devices/"
                + device.id()
                + "/events/"
                + eventId)
        .withEntity(body.type(), body.bytes());
  }

  private TestRouteResult publishAsApplication(
      ApiKey key, Device device, String eventId, HttpRequestBody body) {
    return api.run(withApiKey(key, applicationEvent(device, eventId, body)));
  }

  private JsonNode lastEvent(ApiKey key, Device device, String eventId) {
    TestRouteResult last =
        api.run(withApiKey(key, HttpRequest.GET(device.eventsPath() + "/" + eventId)));
    assertEquals(StatusCodes.OK, last.status(), last.entityString());
    return body(last);
  }

  private long recorded(DeviceKey device) {
    return cluster.twinEvents(device).stream()
        .filter(event -> event instanceof TwinEvent.EventRecorded)
        .count();
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
