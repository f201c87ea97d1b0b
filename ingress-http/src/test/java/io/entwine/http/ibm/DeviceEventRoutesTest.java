package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.http.common.Authentication;
import io.entwine.identity.Ids;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** IBM HTTP device events and the last-event cache. */
class DeviceEventRoutesTest extends ApiRouteTest {
  private static final String SUPPORTED =
      "text/plain (text), application/json (json), application/xml, text/xml or"
          + " application/html (xml), application/octet-stream (bin)";

  DeviceEventRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  // ---- publishing ----

  @Test
  void recordsAnEventAndShowsItInTheLastEventCacheWithItsIotfTimestamp() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s1");
    String payload = "{\"d\":{\"temp\":21.5},\"ts\":\"2024-05-01T12:00:00+02:00\"}";

    TestRouteResult published = publishJson(device, "status", payload);

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    assertEquals("", published.entityString());
    TestRouteResult last =
        api.run(withApiKey(key, HttpRequest.GET(device.eventsPath() + "/status")));
    assertEquals(StatusCodes.OK, last.status(), last.entityString());
    assertEquals(
        parse(
            "{\"typeId\":\"sensor\",\"deviceId\":\"s1\",\"eventId\":\"status\",\"format\":\"json\","
                + "\"payload\":\""
                + base64(payload)
                + "\",\"timestamp\":\"2024-05-01T10:00:00Z\"}"),
        body(last));
  }

  @Test
  void listsTheLastEventOfEveryEventId() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s2");
    publishJson(device, "b-event", "{\"n\":1}");
    publishJson(device, "a-event", "{\"n\":2}");
    publishJson(device, "b-event", "{\"n\":3}");

    TestRouteResult last = api.run(withApiKey(key, HttpRequest.GET(device.eventsPath())));

    assertEquals(StatusCodes.OK, last.status(), last.entityString());
    JsonNode events = body(last);
    assertEquals(2, events.size(), events::toString);
    assertEquals("a-event", events.get(0).get("eventId").asText());
    assertEquals(base64("{\"n\":2}"), events.get(0).get("payload").asText());
    assertEquals("b-event", events.get(1).get("eventId").asText());
    assertEquals(base64("{\"n\":3}"), events.get(1).get("payload").asText());
  }

  @Test
  void stampsAnEventWithoutIotfTimestampWithItsArrival() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s3");
    // recorded times are milliseconds (Timestamps), so the lower bound is too
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"temp\":20}").status());

    Instant after = Instant.now();
    Instant timestamp = Instant.parse(lastEvent(key, device, "status").get("timestamp").asText());
    assertFalse(timestamp.isBefore(before) || timestamp.isAfter(after), timestamp::toString);
  }

  @ParameterizedTest(name = "{0} is recorded as {1}")
  @CsvSource({
    "text/plain, text",
    "text/plain; charset=UTF-8, text",
    "TEXT/PLAIN, text",
    "application/json, json",
    "application/json; charset=UTF-8, json",
    "application/xml, xml",
    "text/xml, xml",
    "text/xml; charset=UTF-8, xml",
    "application/html, xml",
    "application/octet-stream, bin"
  })
  void mapsEveryContentTypeIbmListsToItsFormat(String contentType, String format) {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s4");
    byte[] payload = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);

    TestRouteResult published =
        publish(device, "reading", ContentTypes.parse(contentType), payload);

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    JsonNode last = lastEvent(key, device, "reading");
    assertEquals(format, last.get("format").asText());
    assertArrayEquals(payload, Base64.getDecoder().decode(last.get("payload").asText()));
  }

  @Test
  void recordsABodyWithoutContentTypeAsBinary() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s5");

    TestRouteResult published =
        api.run(
            asDevice(
                device,
                HttpRequest.POST(device.eventsPath() + "/raw")
                    .withEntity(new byte[] {0, 1, 2, (byte) 0xff})));

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    assertEquals("bin", lastEvent(key, device, "raw").get("format").asText());
  }

  @Test
  void refusesAnUnsupportedContentTypeNamingTheSupportedOnes() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s6");

    TestRouteResult published =
        publish(device, "status", ContentTypes.TEXT_CSV_UTF8, "a,b".getBytes());

    assertError(
        published,
        StatusCodes.UNSUPPORTED_MEDIA_TYPE,
        "Unsupported Content-Type 'text/csv': use " + SUPPORTED);
    assertNoEventRecorded(device);
  }

  @Test
  void rejectsInvalidJson() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s7");

    for (String invalid : List.of("{\"temp\":", "{\"a\":1} trailing", "")) {
      assertError(publishJson(device, "status", invalid), StatusCodes.BAD_REQUEST, "Invalid JSON");
    }
    assertNoEventRecorded(device);
  }

  @Test
  void refusesAPayloadOverTheLimit() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s8");

    TestRouteResult published =
        publish(
            device,
            "big",
            ContentTypes.APPLICATION_OCTET_STREAM,
            filled(MAX_PAYLOAD_BYTES + 1, (byte) 'x'));

    assertError(
        published,
        StatusCodes.PAYLOAD_TOO_LARGE,
        "The body is larger than the limit of " + MAX_PAYLOAD_BYTES + " bytes");
    assertNoEventRecorded(device);
  }

  @Test
  void recordsAStreamedPayloadWholeAndInOrder() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s8a");
    Source<ByteString, NotUsed> chunks =
        Source.from(List.of("{\"d\":", "{\"temp\":", "21.5}}")).map(ByteString::fromString);

    TestRouteResult published =
        publishChunked(device, "status", ContentTypes.APPLICATION_JSON, chunks);

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    assertEquals(
        base64("{\"d\":{\"temp\":21.5}}"),
        lastEvent(key, device, "status").get("payload").asText());
  }

  @Test
  void refusesAStreamedPayloadOverTheLimit() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s8s");
    Source<ByteString, NotUsed> chunks =
        Source.range(1, 2)
            .map(half -> ByteString.fromArray(filled(MAX_PAYLOAD_BYTES / 2, (byte) 'x')))
            .concat(Source.single(ByteString.fromString("x")));

    TestRouteResult published =
        publishChunked(device, "big", ContentTypes.APPLICATION_OCTET_STREAM, chunks);

    assertError(
        published,
        StatusCodes.PAYLOAD_TOO_LARGE,
        "The body is larger than the limit of " + MAX_PAYLOAD_BYTES + " bytes");
    assertNoEventRecorded(device);
  }

  @Test
  void refusesAPayloadOverTheLimitOnARealConnection() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s8c");

    TestRouteResult published =
        api.runClientServer(
            asDevice(
                device,
                HttpRequest.POST(device.eventsPath() + "/big")
                    .withEntity(
                        ContentTypes.APPLICATION_OCTET_STREAM,
                        filled(MAX_PAYLOAD_BYTES + 1, (byte) 'x'))));

    assertError(
        published,
        StatusCodes.PAYLOAD_TOO_LARGE,
        "The body is larger than the limit of " + MAX_PAYLOAD_BYTES + " bytes");
    assertNoEventRecorded(device);
  }

  @Test
  void acceptsAPayloadOfExactlyTheLimit() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s9");
    byte[] payload = filled(MAX_PAYLOAD_BYTES, (byte) 'x');

    TestRouteResult published =
        publish(device, "big", ContentTypes.APPLICATION_OCTET_STREAM, payload);

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    assertArrayEquals(
        payload, Base64.getDecoder().decode(lastEvent(key, device, "big").get("payload").asText()));
  }

  // ---- device authentication ----

  @Test
  void refusesAWrongTokenWithAChallenge() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s10");
    Device impostor = new Device(device.org(), device.type(), device.id(), "wrong-token-12345");

    assertUnauthorized(publishJson(impostor, "status", "{}"), "Basic", "Unknown device");
    assertNoEventRecorded(device);
  }

  @Test
  void refusesAnUnknownDeviceLikeAWrongToken() {
    ApiKey key = organizationWithApiKey("ev");
    Device unknown = new Device(key.org(), "sensor", "never-registered", "any-token-123456");

    assertUnauthorized(publishJson(unknown, "status", "{}"), "Basic", "Unknown device");
    assertNoEventRecorded(unknown);
  }

  @Test
  void answersAnUnknownDeviceExactlyLikeAWrongToken() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s10e");
    Device wrongToken = new Device(device.org(), device.type(), device.id(), "wrong-token-12345");
    Device unknown = new Device(device.org(), device.type(), "never-registered", "wrong-token-123");

    TestRouteResult toKnown = publishJson(wrongToken, "status", "{}");
    TestRouteResult toUnknown = publishJson(unknown, "status", "{}");

    assertEquals(StatusCodes.UNAUTHORIZED, toKnown.status());
    assertEquals(toKnown.status(), toUnknown.status());
    assertEquals(
        toKnown.entityString(),
        toUnknown.entityString(),
        "a caller must not tell registered devices from unregistered ones");
  }

  @Test
  void refusesMissingCredentialsAndOtherUsernames() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s11");
    HttpRequest event = withJson(HttpRequest.POST(device.eventsPath() + "/status"), "{}");

    assertUnauthorized(
        api.run(toOrg(device.org(), event)), "Basic", "HTTP Basic authentication required");
    assertUnauthorized(
        api.run(toOrg(device.org(), event).addCredentials(basic("s11", device.password()))),
        "Basic",
        "Devices authenticate as 'use-token-auth'");
    assertNoEventRecorded(device);
  }

  @Test
  void requiresTheOrganizationsHost() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s12");
    HttpRequest event =
        withJson(HttpRequest.POST(device.eventsPath() + "/status"), "{}")
            .addCredentials(basic(Authentication.DEVICE_USERNAME, device.password()));

    for (HttpRequest request : List.of(event, event.addHeader(Host.create(DOMAIN)))) {
      assertError(
          api.run(request),
          StatusCodes.BAD_REQUEST,
          "Address the request to your organization's host, ORG.localhost");
    }
    assertNoEventRecorded(device);
  }

  @Test
  void acceptsTheOrganizationsMessagingHost() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s13");

    TestRouteResult published =
        api.run(
            withJson(HttpRequest.POST(device.eventsPath() + "/status"), "{}")
                .addHeader(Host.create(device.org() + ".messaging." + DOMAIN))
                .addCredentials(basic(Authentication.DEVICE_USERNAME, device.password())));

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
  }

  @Test
  void rejectsAnInvalidEventIdNamingTheRule() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s14");
    String tooLong = "e".repeat(33);

    assertError(
        publishJson(device, "bad%20id", "{}"),
        StatusCodes.BAD_REQUEST,
        "Invalid event id 'bad id': " + Ids.DEVICE_ID_RULE);
    assertError(
        publishJson(device, tooLong, "{}"),
        StatusCodes.BAD_REQUEST,
        "Invalid event id '" + tooLong + "'");
    assertNoEventRecorded(device);
  }

  @Test
  void rejectsAnInvalidDeviceTypeInThePath() {
    ApiKey key = organizationWithApiKey("ev");
    Device invalid = new Device(key.org(), "bad%20type", "d", "any-token-123456");

    assertError(
        publishJson(invalid, "status", "{}"),
        StatusCodes.BAD_REQUEST,
        "Invalid device type 'bad type': " + Ids.DEVICE_ID_RULE);
  }

  // ---- last-event cache ----

  @Test
  void answersAnUnknownEventIdWith404() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s15");
    publishJson(device, "known", "{}");

    assertError(
        api.run(withApiKey(key, HttpRequest.GET(device.eventsPath() + "/unknown"))),
        StatusCodes.NOT_FOUND,
        "No event 'unknown' was received from d:" + key.org() + ":sensor:s15");
  }

  @Test
  void answersTheCacheOfAnUnknownDeviceWith404() {
    ApiKey key = organizationWithApiKey("ev");
    Device unknown = new Device(key.org(), "sensor", "ghost", "");

    assertError(
        api.run(withApiKey(key, HttpRequest.GET(unknown.eventsPath()))),
        StatusCodes.NOT_FOUND,
        "is not registered");
  }

  @Test
  void listsNoEventsOfADeviceThatSentNone() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "quiet");

    TestRouteResult last = api.run(withApiKey(key, HttpRequest.GET(device.eventsPath())));

    assertEquals(StatusCodes.OK, last.status());
    assertEquals(parse("[]"), body(last));
  }

  @Test
  void refusesTheCacheToAnotherOrganizationsApiKey() {
    ApiKey key = organizationWithApiKey("ev");
    ApiKey foreign = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s16");
    publishJson(device, "status", "{\"secret\":1}");

    TestRouteResult result =
        api.run(
            withApiKey(
                new ApiKey(key.org(), foreign.key(), foreign.token()),
                HttpRequest.GET(device.eventsPath() + "/status")));

    assertError(result, StatusCodes.FORBIDDEN, "does not belong to organization " + key.org());
  }

  @Test
  void refusesTheCacheWithoutApiKey() {
    ApiKey key = organizationWithApiKey("ev");
    Device device = registerDevice(key, "sensor", "s17");

    assertUnauthorized(
        api.run(asDevice(device, HttpRequest.GET(device.eventsPath()))),
        "Basic",
        Reply.Rejected.UNAUTHORIZED_MESSAGE);
  }

  // ---- helpers ----

  private JsonNode lastEvent(ApiKey key, Device device, String eventId) {
    TestRouteResult last =
        api.run(withApiKey(key, HttpRequest.GET(device.eventsPath() + "/" + eventId)));
    assertEquals(StatusCodes.OK, last.status(), last.entityString());
    return body(last);
  }

  private TestRouteResult publishChunked(
      Device device, String eventId, ContentType type, Source<ByteString, NotUsed> chunks) {
    return api.run(
        asDevice(
            device,
            HttpRequest.POST(device.eventsPath() + "/" + eventId)
                .withEntity(HttpEntities.createChunked(type, chunks))));
  }

  private void assertNoEventRecorded(Device device) {
    assertTrue(
        cluster.twinEvents(device.key()).stream()
            .noneMatch(event -> event instanceof TwinEvent.EventRecorded),
        "no event recorded");
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] filled(int size, byte value) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, value);
    return bytes;
  }
}
