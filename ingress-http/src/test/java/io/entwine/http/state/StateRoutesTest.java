package io.entwine.http.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.twin.TwinEvent;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A device's state document over HTTP: applications desire, the device reports. */
class StateRoutesTest extends ApiRouteTest {
  private static final ContentType.WithFixedCharset MERGE_PATCH =
      MediaTypes.applicationWithFixedCharset(
              "merge-patch+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8)
          .toContentType();

  private ApiKey key;
  private Device device;

  StateRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @BeforeEach
  void deviceOfAnOrganization() {
    key = organizationWithApiKey("state");
    device = registerDevice(key, "thermostat", "lab-1");
  }

  private TestRouteResult desire(HttpRequest method, String body, String ifMatch) {
    HttpRequest request = method.withEntity(MERGE_PATCH, body);
    if (ifMatch != null) {
      request = request.addHeader(RawHeader.create("If-Match", ifMatch));
    }
    return api.run(withApiKey(key, request));
  }

  private TestRouteResult report(String body) {
    return api.run(
        asDevice(device, withJson(HttpRequest.PATCH(device.statePath() + "/reported"), body)));
  }

  private TestRouteResult state() {
    return api.run(withApiKey(key, HttpRequest.GET(device.statePath())));
  }

  private static String etag(TestRouteResult result) {
    return result.response().getHeader("ETag").orElseThrow().value();
  }

  @Test
  void theWalkthroughDesiredReportedAndAnEmptyDelta() {
    TestRouteResult fresh = state();
    assertEquals(StatusCodes.OK, fresh.status(), fresh.entityString());
    assertEquals("\"0\"", etag(fresh));

    TestRouteResult desired =
        desire(HttpRequest.PATCH(device.statePath() + "/desired"), "{\"interval\":15}", "\"0\"");
    assertEquals(StatusCodes.OK, desired.status(), desired.entityString());
    assertEquals(1, body(desired).get("version").asLong());
    assertEquals("\"1\"", etag(desired));

    TestRouteResult again =
        desire(HttpRequest.PATCH(device.statePath() + "/desired"), "{\"interval\":15}", "\"0\"");
    JsonNode conflict = assertError(again, StatusCodes.PRECONDITION_FAILED, "version 1");
    assertEquals(1, conflict.get("version").asLong());

    TestRouteResult delta =
        api.run(asDevice(device, HttpRequest.GET(device.statePath() + "/delta")));
    assertEquals(StatusCodes.OK, delta.status(), delta.entityString());
    assertEquals(parse("{\"version\":1,\"delta\":{\"interval\":15}}"), body(delta));

    TestRouteResult reported = report("{\"interval\":15,\"temp\":21.5}");
    assertEquals(StatusCodes.OK, reported.status(), reported.entityString());
    assertEquals(parse("{\"version\":2,\"delta\":{}}"), body(reported));

    JsonNode document = body(state());
    assertEquals(2, document.get("version").asLong());
    assertEquals(parse("{}"), document.get("delta"));
    assertEquals(21.5, document.at("/reported/temp").asDouble());
    assertTrue(
        document.at("/metadata/reported/interval/timestamp").isNumber(), document.toString());
    assertTrue(document.at("/metadata/desired/interval/timestamp").isNumber(), document.toString());
  }

  @Test
  void putReplacesTheDesiredStateAndNullRemovesWithPatch() {
    desire(HttpRequest.PATCH(device.statePath() + "/desired"), "{\"a\":1,\"b\":{\"c\":2}}", null);
    desire(HttpRequest.PATCH(device.statePath() + "/desired"), "{\"a\":null}", null);
    assertEquals(parse("{\"b\":{\"c\":2}}"), body(state()).get("desired"));

    TestRouteResult replaced =
        desire(HttpRequest.PUT(device.statePath() + "/desired"), "{\"mode\":\"eco\"}", "\"2\"");
    assertEquals(StatusCodes.OK, replaced.status(), replaced.entityString());
    assertEquals(parse("{\"mode\":\"eco\"}"), body(replaced).get("desired"));
  }

  @Test
  void badDocumentsGetPreciseErrorsAndChangeNothing() {
    String desired = device.statePath() + "/desired";
    assertError(
        desire(HttpRequest.PATCH(desired), "[1,2]", null), StatusCodes.BAD_REQUEST, "JSON object");
    assertError(
        desire(HttpRequest.PATCH(desired), "{\"a\":", null),
        StatusCodes.BAD_REQUEST,
        "Invalid JSON");
    assertError(
        desire(
            HttpRequest.PATCH(desired),
            "{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":{\"6\":{\"7\":{\"8\":{\"9\":1}}}}}}}}}",
            null),
        StatusCodes.BAD_REQUEST,
        "at most 8 levels");
    assertError(
        desire(HttpRequest.PATCH(desired), "{\"a\":\"" + "x".repeat(40_000) + "\"}", null),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "32768 bytes");
    String half = "x".repeat(17_000);
    desire(HttpRequest.PATCH(desired), "{\"a\":\"" + half + "\"}", null);
    assertError(
        desire(HttpRequest.PATCH(desired), "{\"b\":\"" + half + "\"}", null),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "32768 bytes");
    assertError(
        api.run(
            withApiKey(
                key,
                HttpRequest.PATCH(desired).withEntity(ContentTypes.TEXT_PLAIN_UTF8, "{\"a\":1}"))),
        StatusCodes.UNSUPPORTED_MEDIA_TYPE,
        "merge-patch+json");
    assertError(
        desire(HttpRequest.PATCH(desired), "{\"a\":1}", "W/\"1\""),
        StatusCodes.PRECONDITION_FAILED,
        "version 1");

    assertEquals(1, body(state()).get("version").asLong(), "only the valid patch changed it");
    long stateEvents =
        cluster.twinEvents(device.key()).stream()
            .filter(e -> e instanceof TwinEvent.DesiredStatePatched)
            .count();
    assertEquals(1, stateEvents);
  }

  private TestRouteResult stateIfNoneMatch(ApiKey caller, String ifNoneMatch) {
    return api.run(
        withApiKey(
            caller,
            HttpRequest.GET(device.statePath())
                .addHeader(RawHeader.create("If-None-Match", ifNoneMatch))));
  }

  private static void assertNotModified(TestRouteResult result, String etag) {
    assertEquals(StatusCodes.NOT_MODIFIED, result.status(), result.entityString());
    assertEquals(etag, etag(result));
    assertEquals("", result.entityString());
  }

  @Test
  void readsNamingTheCurrentVersionAreNotModified() {
    assertNotModified(stateIfNoneMatch(key, "\"0\""), "\"0\"");
    assertNotModified(stateIfNoneMatch(key, "W/\"0\""), "\"0\"");
    assertNotModified(stateIfNoneMatch(key, "\"7\", \"0\""), "\"0\"");
    assertNotModified(stateIfNoneMatch(key, "*"), "\"0\"");
    TestRouteResult delta =
        api.run(
            asDevice(
                device,
                HttpRequest.GET(device.statePath() + "/delta")
                    .addHeader(RawHeader.create("If-None-Match", "\"0\""))));
    assertNotModified(delta, "\"0\"");

    desire(HttpRequest.PATCH(device.statePath() + "/desired"), "{\"interval\":15}", null);
    TestRouteResult changed = stateIfNoneMatch(key, "\"0\"");
    assertEquals(StatusCodes.OK, changed.status(), changed.entityString());
    assertEquals("\"1\"", etag(changed));
    assertEquals(15, body(changed).at("/desired/interval").asInt());

    assertError(stateIfNoneMatch(key, "0"), StatusCodes.BAD_REQUEST, "If-None-Match");
    assertError(stateIfNoneMatch(key, "\"1"), StatusCodes.BAD_REQUEST, "If-None-Match");
    assertError(stateIfNoneMatch(key, "\"1\" \"2\""), StatusCodes.BAD_REQUEST, "If-None-Match");
    ApiKey other = organizationWithApiKey("other");
    assertError(stateIfNoneMatch(other, "*"), StatusCodes.NOT_FOUND, "not registered");
  }

  private TestRouteResult desireIfNoneMatch(HttpRequest method, String body, String ifNoneMatch) {
    return api.run(
        withApiKey(
            key,
            method
                .withEntity(MERGE_PATCH, body)
                .addHeader(RawHeader.create("If-None-Match", ifNoneMatch))));
  }

  @Test
  void ifNoneMatchStarWritesDesiredStateOnlyWhenThereIsNone() {
    String desired = device.statePath() + "/desired";
    TestRouteResult first = desireIfNoneMatch(HttpRequest.PUT(desired), "{\"interval\":15}", "*");
    assertEquals(StatusCodes.OK, first.status(), first.entityString());
    assertEquals(1, body(first).get("version").asLong());

    TestRouteResult second =
        desireIfNoneMatch(HttpRequest.PATCH(desired), "{\"interval\":30}", "*");
    JsonNode refused = assertError(second, StatusCodes.PRECONDITION_FAILED, "desired state exists");
    assertEquals(1, refused.get("version").asLong());
    assertEquals(412, refused.get("rc").asInt());
    assertEquals("\"1\"", etag(second));
    assertError(
        desireIfNoneMatch(HttpRequest.PUT(desired), "{\"interval\":30}", "W/\"1\""),
        StatusCodes.PRECONDITION_FAILED,
        "version 1");
    assertError(
        desireIfNoneMatch(HttpRequest.PUT(desired), "{\"interval\":30}", "1"),
        StatusCodes.BAD_REQUEST,
        "If-None-Match");
    assertEquals(parse("{\"interval\":15}"), body(state()).get("desired"), "nothing changed");

    TestRouteResult otherVersion =
        desireIfNoneMatch(HttpRequest.PATCH(desired), "{\"interval\":30}", "\"0\"");
    assertEquals(StatusCodes.OK, otherVersion.status(), otherVersion.entityString());
    assertEquals(2, body(otherVersion).get("version").asLong());

    TestRouteResult cleared = desire(HttpRequest.PUT(desired), "{}", null);
    assertEquals(StatusCodes.OK, cleared.status(), cleared.entityString());
    TestRouteResult afresh = desireIfNoneMatch(HttpRequest.PATCH(desired), "{\"mode\":1}", "*");
    assertEquals(StatusCodes.OK, afresh.status(), afresh.entityString());
    assertEquals(parse("{\"mode\":1}"), body(afresh).get("desired"));
  }

  private TestRouteResult reportIfNoneMatch(String body, String ifNoneMatch, Device as) {
    return api.run(
        asDevice(
            as,
            withJson(HttpRequest.PATCH(device.statePath() + "/reported"), body)
                .addHeader(RawHeader.create("If-None-Match", ifNoneMatch))));
  }

  @Test
  void ifNoneMatchOnTheReportedPatchAsOnDesiredWrites() {
    TestRouteResult first = reportIfNoneMatch("{\"temp\":21}", "*", device);
    assertEquals(StatusCodes.OK, first.status(), first.entityString());
    assertEquals(1, body(first).get("version").asLong());

    TestRouteResult second = reportIfNoneMatch("{\"temp\":22}", "*", device);
    JsonNode refused =
        assertError(second, StatusCodes.PRECONDITION_FAILED, "reported state exists");
    assertEquals(1, refused.get("version").asLong());
    assertEquals("\"1\"", etag(second));
    assertError(
        reportIfNoneMatch("{\"temp\":22}", "\"1\"", device),
        StatusCodes.PRECONDITION_FAILED,
        "version 1");
    assertError(
        reportIfNoneMatch("{\"temp\":22}", "1", device), StatusCodes.BAD_REQUEST, "If-None-Match");
    Device wrongToken = new Device(device.org(), device.type(), device.id(), "wrong-token-000");
    assertUnauthorized(
        reportIfNoneMatch("{\"temp\":22}", "\"0\"", wrongToken), "Basic", "wrong token");
    assertEquals(parse("{\"temp\":21}"), body(state()).get("reported"), "nothing changed");

    TestRouteResult otherVersion = reportIfNoneMatch("{\"temp\":22}", "\"0\"", device);
    assertEquals(StatusCodes.OK, otherVersion.status(), otherVersion.entityString());
    assertEquals(2, body(otherVersion).get("version").asLong());
  }

  private TestRouteResult withCondition(HttpRequest request, String condition) {
    return api.run(
        withApiKey(
            key,
            request.withUri(
                request
                    .getUri()
                    .query(
                        org.apache.pekko.http.javadsl.model.Query.create(
                            org.apache.pekko.japi.Pair.create("condition", condition))))));
  }

  @Test
  void aConditionThatDoesNotHoldIs412AndChangesNothing() {
    String desired = device.statePath() + "/desired";
    desire(HttpRequest.PATCH(desired), "{\"interval\":15}", null);

    TestRouteResult holds =
        withCondition(
            HttpRequest.PATCH(desired).withEntity(MERGE_PATCH, "{\"interval\":30}"),
            "and(eq(desired/interval,15),not(exists(reported/interval)))");
    assertEquals(StatusCodes.OK, holds.status(), holds.entityString());
    assertEquals(2, body(holds).get("version").asLong());

    TestRouteResult fails =
        withCondition(
            HttpRequest.PUT(desired).withEntity(MERGE_PATCH, "{\"interval\":60}"),
            "eq(desired/interval,15)");
    JsonNode refused =
        assertError(fails, StatusCodes.PRECONDITION_FAILED, "condition does not hold");
    assertEquals(2, refused.get("version").asLong());
    assertEquals("\"2\"", etag(fails));
    assertEquals(parse("{\"interval\":30}"), body(state()).get("desired"), "nothing changed");

    TestRouteResult read = withCondition(HttpRequest.GET(device.statePath()), "gt(version,1)");
    assertEquals(StatusCodes.OK, read.status(), read.entityString());
    assertError(
        withCondition(HttpRequest.GET(device.statePath()), "lt(version,2)"),
        StatusCodes.PRECONDITION_FAILED,
        "condition does not hold");

    TestRouteResult reported =
        api.run(
            asDevice(
                device,
                withJson(
                    HttpRequest.PATCH(device.statePath() + "/reported?condition=exists(desired/x)"),
                    "{\"interval\":30}")));
    assertError(reported, StatusCodes.PRECONDITION_FAILED, "condition does not hold");
    assertEquals(parse("{}"), body(state()).get("reported"), "nothing reported");

    JsonNode malformed =
        assertError(
            withCondition(
                HttpRequest.PATCH(desired).withEntity(MERGE_PATCH, "{\"interval\":1}"),
                "eq(desired/interval 15)"),
            StatusCodes.BAD_REQUEST,
            "position 21");
    assertEquals(400, malformed.get("rc").asInt());
    assertEquals(2, body(state()).get("version").asLong(), "nothing changed");
  }

  @Test
  void eventsOfTheIdsATypeNamesReportState() {
    String stateEvents = "/api/v0002/device/types/thermostat/state-events";
    TestRouteResult named =
        api.run(
            withApiKey(key, withJson(HttpRequest.PUT(stateEvents), "{\"eventIds\":[\"status\"]}")));
    assertEquals(StatusCodes.OK, named.status(), named.entityString());
    assertEquals(parse("{\"eventIds\":[\"status\"]}"), body(named));

    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"d\":{\"temp\":21}}").status());
    assertEquals(
        StatusCodes.OK, publishJson(device, "other", "{\"d\":{\"humidity\":40}}").status());
    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"rssi\":-70}").status());

    JsonNode document = body(state());
    assertEquals(parse("{\"temp\":21,\"rssi\":-70}"), document.get("reported"));
    assertEquals(2, document.get("version").asLong());
    assertEquals(
        parse("{\"eventIds\":[\"status\"]}"),
        body(api.run(withApiKey(key, HttpRequest.GET(stateEvents)))));
    assertError(
        api.run(
            withApiKey(key, withJson(HttpRequest.PUT(stateEvents), "{\"eventIds\":[\"a b\"]}"))),
        StatusCodes.BAD_REQUEST,
        "event id");
  }

  @Test
  void unknownDevicesWrongTokensAndOtherOrganizationsAreRefused() {
    Device unknown = new Device(key.org(), "thermostat", "nobody", "x");
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(unknown.statePath()))),
        StatusCodes.NOT_FOUND,
        "not registered");

    Device wrongToken = new Device(device.org(), device.type(), device.id(), "wrong-token-000");
    assertUnauthorized(
        api.run(
            asDevice(
                wrongToken,
                withJson(HttpRequest.PATCH(device.statePath() + "/reported"), "{\"a\":1}"))),
        "Basic",
        "wrong token");

    ApiKey other = organizationWithApiKey("other");
    assertError(
        api.run(
            toOrg(key.org(), HttpRequest.GET(device.statePath()))
                .addCredentials(basic(other.key(), other.token()))),
        StatusCodes.FORBIDDEN,
        "does not belong");
    assertError(
        api.run(withApiKey(other, HttpRequest.GET(device.statePath()))),
        StatusCodes.NOT_FOUND,
        "not registered");
    assertEquals(0, body(state()).get("version").asLong(), "nothing changed");
  }
}
