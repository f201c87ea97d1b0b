package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.TestNode;
import io.entwine.http.TencentClientSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tencent IoT Hub's signed publish over real HTTP: the request sample of Tencent IoT Hub's HTTP
 * device publish documentation (ProductId, DeviceName, topic, payload), signed with the device's
 * PSK by javax.crypto and by {@code openssl dgst -sha256 -hmac}; a tampered signature and a
 * replayed nonce are refused and record nothing.
 */
class TencentPublishIT {
  private static final String PSK = "bXktZGV2aWNlLXBzay0xMjM0NTY=";
  private static final String BODY =
      "{\"DeviceName\":\"AAAAAA\",\"Payload\":\"123\",\"ProductId\":\"G8N9AHB\",\"Qos\":1,"
          + "\"TopicName\":\"G8N9AHB/AAAAAA/data\"}";
  private static final AtomicLong NONCES = new AtomicLong(5456);

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static ApiKey apiKey;

  @BeforeAll
  static void deviceWithPsk() throws Exception {
    Fixtures fixtures = new Fixtures(node);
    apiKey = fixtures.organizationWithApiKey();
    fixtures.register(apiKey, "G8N9AHB", "AAAAAA");
    TestNode.Response added =
        node.request("POST", "/api/v0002/device/types/G8N9AHB/devices/AAAAAA/credentials")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"type\":\"psk\",\"secret\":\"" + PSK + "\"}")
            .send();
    assertEquals(201, added.status(), added.body());
  }

  @Test
  void acceptsTheSampleRequestSignedWithJavaxCrypto() {
    String nonce = nonce();
    long timestamp = Instant.now().getEpochSecond();
    String signature =
        Base64.getEncoder().encodeToString(hmac(stringToSign(timestamp, nonce, BODY)));

    TestNode.Response response = publish(timestamp, nonce, signature, BODY);

    assertEquals(200, response.status(), response.body());
    assertTrue(response.json().get("Response").get("RequestId").asText().length() > 10);
    assertEquals("MTIz", lastPayload(), "the payload 123 is the device's last data event");
  }

  @Test
  void acceptsASignatureComputedByOpenssl() throws Exception {
    Assumptions.assumeTrue(
        opensslAvailable(), "openssl is not installed: the openssl-signed request is skipped");
    String nonce = nonce();
    long timestamp = Instant.now().getEpochSecond();
    String body = BODY.replace("\"123\"", "\"456\"");
    String hex = openssl(stringToSign(timestamp, nonce, body));

    TestNode.Response response = publish(timestamp, nonce, hex, body);

    assertEquals(200, response.status(), response.body());
    assertEquals("NDU2", lastPayload());
  }

  @Test
  void refusesATamperedSignatureAndAReplayedNonce() {
    String nonce = nonce();
    long timestamp = Instant.now().getEpochSecond();
    String body = BODY.replace("\"123\"", "\"789\"");
    byte[] mac = hmac(stringToSign(timestamp, nonce, body));
    byte[] tampered = mac.clone();
    tampered[0] ^= 1;

    TestNode.Response refused =
        publish(timestamp, nonce, Base64.getEncoder().encodeToString(tampered), body);
    assertEquals(401, refused.status(), refused.body());
    assertEquals(
        "AuthFailure.SignatureFailure",
        refused.json().get("Response").get("Error").get("Code").asText());
    assertTrue(!"Nzg5".equals(lastPayload()), "the refused request recorded nothing");

    String valid = Base64.getEncoder().encodeToString(mac);
    assertEquals(200, publish(timestamp, nonce, valid, body).status());
    TestNode.Response replayed = publish(timestamp, nonce, valid, body);
    assertEquals(401, replayed.status(), replayed.body());
    assertEquals(
        "AuthFailure.NonceUsed", replayed.json().get("Response").get("Error").get("Code").asText());
  }

  /**
   * Host names are case-insensitive and the node sees the Host lower-cased: a device signs the
   * lower-case host (Tencent's canonical form) whatever case it sends, or the upper-case host it
   * sends.
   */
  @Test
  void acceptsAnUpperOrMixedCaseHost() {
    String lower = host();
    String upper = lower.toUpperCase(Locale.ROOT);
    String mixed = "Org" + lower.substring(3, lower.length() - "localhost".length()) + "LocalHost";
    String[][] sentAndSigned = {{upper, upper}, {upper, lower}, {mixed, lower}};
    for (String[] hosts : sentAndSigned) {
      String nonce = nonce();
      long timestamp = Instant.now().getEpochSecond();
      String body = BODY.replace("\"123\"", "\"" + nonce + "\"");
      String signature =
          Base64.getEncoder().encodeToString(hmac(stringToSign(hosts[1], timestamp, nonce, body)));

      TestNode.Response response = publish(hosts[0], timestamp, nonce, signature, body);

      assertEquals(
          200, response.status(), "Host " + hosts[0] + " signed as " + hosts[1] + ": " + response);
      assertEquals(
          Base64.getEncoder().encodeToString(nonce.getBytes(StandardCharsets.UTF_8)),
          lastPayload());
    }
  }

  // ---- the device's side ----

  private static String host() {
    return apiKey.org() + ".localhost";
  }

  private static String stringToSign(long timestamp, String nonce, String body) {
    return stringToSign(host(), timestamp, nonce, body);
  }

  private static String stringToSign(String host, long timestamp, String nonce, String body) {
    return TencentClientSignature.stringToSign(host, "HmacSha256", timestamp, nonce, body);
  }

  private static TestNode.Response publish(
      long timestamp, String nonce, String signature, String body) {
    return publish(host(), timestamp, nonce, signature, body);
  }

  private static TestNode.Response publish(
      String host, long timestamp, String nonce, String signature, String body) {
    return node.request("POST", "/device/publish")
        .header("Host", host)
        .header("X-TC-Algorithm", "HmacSha256")
        .header("X-TC-Timestamp", String.valueOf(timestamp))
        .header("X-TC-Nonce", nonce)
        .header("X-TC-Signature", signature)
        .json(body)
        .send();
  }

  private static String lastPayload() {
    TestNode.Response last =
        node.request("GET", "/api/v0002/device/types/G8N9AHB/devices/AAAAAA/events/data")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    return last.status() == 200 ? last.json().get("payload").asText() : null;
  }

  private static String nonce() {
    return String.valueOf(NONCES.incrementAndGet());
  }

  private static byte[] hmac(String data) {
    return TencentClientSignature.hmac("HmacSHA256", PSK, data);
  }

  private static boolean opensslAvailable() {
    try {
      Process version = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      return version.waitFor(10, TimeUnit.SECONDS) && version.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code printf '%s' "$STRING_TO_SIGN" | openssl dgst -sha256 -hmac "$PSK"}: lowercase hex. */
  private static String openssl(String stringToSign) throws Exception {
    Process process =
        new ProcessBuilder("openssl", "dgst", "-sha256", "-hmac", PSK)
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().write(stringToSign.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0, output);
    // "SHA2-256(stdin)= 9c19..." (OpenSSL 3) or "(stdin)= 9c19..." (1.1)
    return output.substring(output.lastIndexOf('=') + 1).strip();
  }
}
