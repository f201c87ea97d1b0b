package io.entwine.http.tencent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TencentClientSignature;
import io.entwine.http.TestCluster;
import io.entwine.http.hono.HonoRoutesTest;
import io.entwine.twin.TwinEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tencent's signed publish: signatures computed here with javax.crypto, as a device would. */
class TencentRoutesTest extends ApiRouteTest {
  private static final String PSK = "Zm9vYmFyLXRlbmNlbnQtcHNr";
  private static final AtomicInteger NONCES = new AtomicInteger(5456);

  private ApiKey key;
  private Device device;

  TencentRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @BeforeEach
  void deviceWithPsk() {
    key = organizationWithApiKey("tc");
    device = registerDevice(key, "G8N9AHB", "AAAAAA");
    TestRouteResult added =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST(HonoRoutesTest.credentialsPath(device)),
                    "{\"type\":\"psk\",\"secret\":\"" + PSK + "\"}")));
    assertEquals(StatusCodes.CREATED, added.status(), added.entityString());
  }

  @Test
  void recordsTencentsSampleRequestSignedWithTheDevicePsk() {
    TestRouteResult result = api.run(signed(sampleBody("123"), "HmacSha256", false));

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    JsonNode body = body(result);
    assertTrue(body.get("Response").get("RequestId").asText().length() > 10, result.entityString());
    assertFalse(body.get("Response").has("Error"));
    TwinEvent.EventRecorded recorded = recorded().get(0);
    assertEquals("data", recorded.eventId());
    assertEquals("123", new String(recorded.payload(), StandardCharsets.UTF_8));
  }

  @Test
  void acceptsHmacSha1AndAHexSignatureAndDecodesABase64Payload() {
    String base64 = Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 0xff});
    String body =
        "{\"DeviceName\":\"AAAAAA\",\"Payload\":\""
            + base64
            + "\",\"PayloadEncoding\":\"base64\",\"ProductId\":\"G8N9AHB\",\"Qos\":0,"
            + "\"TopicName\":\"G8N9AHB/AAAAAA/raw\"}";

    assertEquals(StatusCodes.OK, api.run(signed(body, "HmacSha1", false)).status());
    assertEquals(
        StatusCodes.OK, api.run(signed(sampleBody("{\"t\":1}"), "HmacSha256", true)).status());

    List<TwinEvent.EventRecorded> events = recorded();
    assertEquals(2, events.size());
    assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, events.get(0).payload());
    assertEquals("bin", events.get(0).format());
    assertEquals("json", events.get(1).format());
  }

  @Test
  void refusesATamperedSignatureOrBodyWith401AndRecordsNothing() {
    HttpRequest valid = signed(sampleBody("123"), "HmacSha256", false);
    String signature = valid.getHeader("X-TC-Signature").orElseThrow().value();
    String tampered = (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1);

    assertTencentError(
        api.run(
            valid
                .removeHeader("X-TC-Signature")
                .addHeader(RawHeader.create("X-TC-Signature", tampered))),
        StatusCodes.UNAUTHORIZED,
        "AuthFailure.SignatureFailure");
    assertTencentError(
        api.run(
            valid.withEntity(
                org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
                sampleBody("999"))),
        StatusCodes.UNAUTHORIZED,
        "AuthFailure.SignatureFailure");
    assertTrue(recorded().isEmpty());
  }

  @Test
  void refusesAReplayedNonce() {
    HttpRequest request = signed(sampleBody("123"), "HmacSha256", false);

    assertEquals(StatusCodes.OK, api.run(request).status());
    assertTencentError(api.run(request), StatusCodes.UNAUTHORIZED, "AuthFailure.NonceUsed");
    assertEquals(1, recorded().size(), "the replay recorded nothing");
  }

  @Test
  void refusesATimestampOutsideTheWindow() {
    long old = Instant.now().minus(TENCENT_WINDOW).minusSeconds(60).getEpochSecond();

    assertTencentError(
        api.run(signed(sampleBody("1"), "HmacSha256", false, old, "n-old")),
        StatusCodes.UNAUTHORIZED,
        "AuthFailure.SignatureExpire");
    assertTrue(recorded().isEmpty());
  }

  @Test
  void refusesATopicOfAnotherDeviceWith403AndBadRequestsWith400() {
    String foreign = sampleBody("1").replace("G8N9AHB/AAAAAA/data", "G8N9AHB/BBBBBB/data");
    assertTencentError(
        api.run(signed(foreign, "HmacSha256", false)),
        StatusCodes.FORBIDDEN,
        "UnauthorizedOperation.PermissionDenied");
    assertTencentError(
        api.run(signed(sampleBody("1"), "HmacMd5", false)),
        StatusCodes.BAD_REQUEST,
        "InvalidParameter");
    assertTencentError(
        api.run(signed("{\"ProductId\":\"G8N9AHB\"}", "HmacSha256", false)),
        StatusCodes.BAD_REQUEST,
        "InvalidParameter");
    assertTencentError(
        api.run(
            HttpRequest.POST("/device/publish")
                .withEntity(
                    org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
                    sampleBody("1"))),
        StatusCodes.BAD_REQUEST,
        "InvalidParameter");
    assertTrue(recorded().isEmpty());
  }

  @Test
  void answersAnUnknownDeviceLikeAWrongSignatureAndADisabledOneWith403() {
    String unknown = sampleBody("1").replace("AAAAAA", "CCCCCC");
    assertTencentError(
        api.run(signed(unknown, "HmacSha256", false)),
        StatusCodes.UNAUTHORIZED,
        "AuthFailure.SignatureFailure");

    api.run(
        withApiKey(
            key, withJson(HttpRequest.PUT(DEVICES + "/G8N9AHB/AAAAAA"), "{\"enabled\":false}")));
    assertTencentError(
        api.run(signed(sampleBody("1"), "HmacSha256", false)),
        StatusCodes.FORBIDDEN,
        "FailedOperation.DeviceDisabled");
    assertTrue(recorded().isEmpty());
  }

  @Test
  void appliesTheOrganizationsLimits() {
    setLimits(
        key.org(), "{\"messages-per-period\":1,\"period-seconds\":3600,\"max-payload-bytes\":16}");

    assertTencentError(
        api.run(signed(sampleBody("0123456789abcdefXYZ"), "HmacSha256", false)),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "LimitExceeded.PayloadTooLarge");
    assertEquals(StatusCodes.OK, api.run(signed(sampleBody("1"), "HmacSha256", false)).status());
    assertTencentError(
        api.run(signed(sampleBody("2"), "HmacSha256", false)),
        StatusCodes.TOO_MANY_REQUESTS,
        "RequestLimitExceeded");
    assertEquals(1, recorded().size());
  }

  @Test
  void requestsWithAWrongSignatureDoNotUseTheBudget() {
    setLimits(key.org(), "{\"messages-per-period\":1,\"period-seconds\":3600}");
    HttpRequest forged =
        signed(sampleBody("1"), "HmacSha256", false)
            .removeHeader("X-TC-Signature")
            .addHeader(RawHeader.create("X-TC-Signature", "AAAA"));

    for (int i = 0; i < 3; i++) {
      assertTencentError(api.run(forged), StatusCodes.UNAUTHORIZED, "AuthFailure.SignatureFailure");
    }
    assertEquals(
        StatusCodes.OK,
        api.run(signed(sampleBody("2"), "HmacSha256", false)).status(),
        "the device's own message is within the budget");
    assertEquals(1, recorded().size());
  }

  // ---- helpers ----

  private static String sampleBody(String payload) {
    return "{\"DeviceName\":\"AAAAAA\",\"Payload\":\""
        + payload.replace("\"", "\\\"")
        + "\",\"ProductId\":\"G8N9AHB\",\"Qos\":1,\"TopicName\":\"G8N9AHB/AAAAAA/data\"}";
  }

  private HttpRequest signed(String body, String algorithm, boolean hex) {
    return signed(
        body,
        algorithm,
        hex,
        Instant.now().getEpochSecond(),
        String.valueOf(NONCES.incrementAndGet()));
  }

  private HttpRequest signed(
      String body, String algorithm, boolean hex, long timestamp, String nonce) {
    String host = key.org() + "." + DOMAIN;
    String stringToSign =
        TencentClientSignature.stringToSign(host, algorithm, timestamp, nonce, body);
    byte[] mac =
        TencentClientSignature.hmac(
            "HmacSha1".equals(algorithm) ? "HmacSHA1" : "HmacSHA256", PSK, stringToSign);
    String signature =
        hex ? HexFormat.of().formatHex(mac) : Base64.getEncoder().encodeToString(mac);
    return toOrg(key.org(), withJson(HttpRequest.POST("/device/publish"), body))
        .addHeader(RawHeader.create("X-TC-Algorithm", algorithm))
        .addHeader(RawHeader.create("X-TC-Timestamp", String.valueOf(timestamp)))
        .addHeader(RawHeader.create("X-TC-Nonce", nonce))
        .addHeader(RawHeader.create("X-TC-Signature", signature));
  }

  private List<TwinEvent.EventRecorded> recorded() {
    return cluster.twinEvents(device.key()).stream()
        .filter(e -> e instanceof TwinEvent.EventRecorded)
        .map(e -> (TwinEvent.EventRecorded) e)
        .toList();
  }

  private static void assertTencentError(TestRouteResult result, StatusCode status, String code) {
    assertEquals(status, result.status(), result.entityString());
    JsonNode response = body(result).get("Response");
    assertEquals(code, response.get("Error").get("Code").asText(), result.entityString());
    assertFalse(response.get("Error").get("Message").asText().isEmpty());
    assertFalse(response.get("RequestId").asText().isEmpty());
  }
}
