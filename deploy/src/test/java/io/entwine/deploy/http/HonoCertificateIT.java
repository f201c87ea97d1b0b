package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.mqtt.SelfSignedCertificate;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hono's X.509 client-certificate authentication over real HTTPS, with the user guide's own client:
 * curl with {@code --cert}/{@code --key}/{@code --cacert}, certificates made by openssl as
 * docs/api.md shows. Tenant acme trusts the ACME CA and its device 4711 has the x509-cert
 * credential {@code CN=device1,O=ACME}; tenant other trusts its own CA.
 */
class HonoCertificateIT {
  private static final String TEMP = "{\"temp\": 5}";
  private static final String DEVICE_DN = "CN=device1,O=ACME";

  @TempDir static Path dir;
  private static TestNode node;
  private static ApiKey acme;
  private static ApiKey other;

  @BeforeAll
  static void tenantsWithTrustedCas() throws Exception {
    SelfSignedCertificate.Pem server = SelfSignedCertificate.create(dir);
    certificateAuthority("ca", "/O=ACME/CN=ACME Devices CA");
    certificateAuthority("other-ca", "/O=Other/CN=Other Devices CA");
    // same subject DN as the ACME CA, another key: a forger's CA
    certificateAuthority("forged-ca", "/O=ACME/CN=ACME Devices CA");
    deviceCertificate("device", "/O=ACME/CN=device1", "ca");
    deviceCertificate("unregistered", "/O=ACME/CN=device2", "ca");
    deviceCertificate("forged", "/O=ACME/CN=device1", "forged-ca");
    deviceCertificate("other-device", "/O=Other/CN=sensor9", "other-ca");
    deviceCertificate("other-as-acme", "/O=ACME/CN=device1", "other-ca");
    deviceCertificate("gateway", "/O=ACME/CN=gw1", "ca");

    node =
        TestNode.start(
            "entwine.http.tls.cert-file = \"%s\"\nentwine.http.tls.key-file = \"%s\""
                .formatted(server.cert(), server.key()));
    Fixtures fixtures = new Fixtures(node);
    acme = fixtures.organizationWithApiKey();
    other = fixtures.organizationWithApiKey();
    fixtures.register(acme, "sensor", "4711");
    fixtures.register(other, "sensor", "9");
    fixtures.register(acme, "sensor", "gw-1");
    fixtures.register(acme, "sensor", "4712");
    addCertificateCredential(acme, "4711", "CN=device1, O=ACME");
    addCertificateCredential(other, "9", "CN=sensor9,O=Other");
    addCertificateCredential(acme, "gw-1", "CN=gw1,O=ACME");
    TestNode.Response via =
        management(acme, "PUT", "/api/v0002/device/types/sensor/devices/4712/gateways")
            .json("{\"via\":[\"gw-1\"]}")
            .send();
    assertEquals(200, via.status(), via.body());
    TestNode.Response trusted = trustAnchors(acme, "ca");
    assertEquals(200, trusted.status(), trusted.body());
    assertEquals(
        "CN=ACME Devices CA,O=ACME",
        trusted.json().get("trusted-ca").get(0).get("subject-dn").asText());
    assertEquals(200, trustAnchors(other, "other-ca").status());
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void userGuideExampleWithAClientCertificateIsRecordedOnTheTwin() throws Exception {
    assertEquals("202", curl("device", "/telemetry", "POST", "{\"temp\": 5}"));
    assertLastEvent(acme, "4711", "telemetry", "{\"temp\": 5}");
    assertEquals("202", curl("device", "/event", "POST", "{\"alarm\": true}"));
    assertLastEvent(acme, "4711", "event", "{\"alarm\": true}");
  }

  @Test
  void aGatewayWithAClientCertificateSendsForTheDevicesThatListIt() throws Exception {
    assertEquals(
        "202", curl("gateway", "/telemetry/" + acme.org() + "/4712", "PUT", "{\"via\": 1}"));
    assertLastEvent(acme, "4712", "telemetry", "{\"via\": 1}");
    assertEquals(
        "403",
        curl("gateway", "/telemetry/" + acme.org() + "/4711", "PUT", "{\"via\": 2}"),
        "4711 does not list gw-1 in its via");
  }

  @Test
  void credentialIsListedUnderTheNormalizedSubjectDn() {
    TestNode.Response listed =
        management(acme, "GET", "/api/v0002/device/types/sensor/devices/4711/credentials").send();
    assertEquals(200, listed.status(), listed.body());
    assertEquals("x509-cert", listed.json().get(0).get("type").asText());
    assertEquals(DEVICE_DN, listed.json().get(0).get("auth-id").asText());
  }

  @Test
  void certificatesThatDoNotAuthenticateAreRefusedWith401() throws Exception {
    assertEquals(
        "401", curl("unregistered", "/telemetry", "POST", TEMP), "no x509-cert credential");
    assertEquals("401", curl("forged", "/telemetry", "POST", TEMP), "issuer name without its key");
    assertEquals("401", curl("ca", "/telemetry", "POST", TEMP), "the CA itself is no device");
    assertEquals("401", curl(null, "/telemetry", "POST", TEMP), "no certificate, no Basic");
  }

  @Test
  void anotherTenantsCertificateCannotActInThisTenant() throws Exception {
    // its own tenant accepts it ...
    assertEquals("202", curl("other-device", "/telemetry", "POST", "{\"other\": 1}"));
    assertLastEvent(other, "9", "telemetry", "{\"other\": 1}");
    // ... but not as a gateway for a device of acme, nor under an acme device's subject DN
    assertEquals(
        "403", curl("other-device", "/telemetry/" + acme.org() + "/4711", "PUT", "{\"other\": 2}"));
    assertEquals("401", curl("other-as-acme", "/telemetry", "POST", "{\"other\": 3}"));
    assertLastEventIsNot(acme, "4711", "telemetry", "{\"other\": 2}");
    assertLastEventIsNot(acme, "4711", "telemetry", "{\"other\": 3}");
  }

  @Test
  void aCaSubjectIsTrustedByOneTenantOnly() throws Exception {
    TestNode.Response conflict = trustAnchors(other, "forged-ca");
    assertEquals(409, conflict.status(), conflict.body());
    TestNode.Response anchors =
        node.request("GET", "/api/v0002/admin/organizations/" + other.org() + "/trust-anchors")
            .operator()
            .send();
    assertEquals(
        "CN=Other Devices CA,O=Other",
        anchors.json().get("trusted-ca").get(0).get("subject-dn").asText(),
        "a refused change leaves the tenant's CAs as they were");
  }

  // ---- certificates, as docs/api.md makes them ----

  private static void certificateAuthority(String name, String subject) throws Exception {
    openssl(
        "req -x509 -newkey rsa:2048 -nodes -days 2 -keyout %1$s-key.pem -out %1$s.pem",
        subject, name);
  }

  private static void deviceCertificate(String name, String subject, String ca) throws Exception {
    openssl("req -newkey rsa:2048 -nodes -keyout %1$s-key.pem -out %1$s.csr", subject, name);
    openssl(
        "x509 -req -in %1$s.csr -CA %2$s.pem -CAkey %2$s-key.pem -CAcreateserial -days 2"
            + " -out %1$s.pem",
        null, name, ca);
  }

  /** {@code openssl} with {@code commandLine} (split at spaces) and {@code -subj subject}. */
  private static void openssl(String commandLine, String subject, Object... names)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(commandLine.formatted(names).split(" ")));
    if (subject != null) {
      command.addAll(List.of("-subj", subject));
    }
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, output);
  }

  /**
   * The Eclipse Hono 1.2 HTTP adapter user guide's curl command with only host and port changed;
   * returns the status code.
   */
  private static String curl(String certificate, String path, String method, String body)
      throws Exception {
    List<String> command =
        new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"));
    if (certificate != null) {
      command.addAll(List.of("--cert", certificate + ".pem", "--key", certificate + "-key.pem"));
    }
    command.addAll(
        List.of(
            "--cacert",
            "cert.pem",
            "-X",
            method,
            "-H",
            "content-type: application/json",
            "--data-binary",
            body,
            "https://localhost:" + httpsPort() + path));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).start();
    String status = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "curl did not finish");
    assertEquals(0, process.exitValue(), "curl failed: " + errors);
    return status;
  }

  private static int httpsPort() {
    String url = node.httpsUrl();
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
  }

  // ---- the API ----

  /** Hono's {@code trusted-ca}: the CA certificate as base64 DER. */
  private static TestNode.Response trustAnchors(ApiKey tenant, String ca) throws Exception {
    String pem = Files.readString(dir.resolve(ca + ".pem"));
    String der = pem.replaceAll("-----(BEGIN|END) CERTIFICATE-----", "").replaceAll("\\s", "");
    return node.request("PUT", "/api/v0002/admin/organizations/" + tenant.org() + "/trust-anchors")
        .operator()
        .json("{\"trusted-ca\":[{\"cert\":\"" + der + "\"}]}")
        .send();
  }

  private static void addCertificateCredential(ApiKey apiKey, String id, String subjectDn) {
    TestNode.Response added =
        management(apiKey, "POST", "/api/v0002/device/types/sensor/devices/" + id + "/credentials")
            .json("{\"type\":\"x509-cert\",\"auth-id\":\"" + subjectDn + "\"}")
            .send();
    assertEquals(201, added.status(), added.body());
  }

  private static TestNode.RequestBuilder management(ApiKey apiKey, String method, String path) {
    return node.request(method, path)
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token());
  }

  private static String lastEvent(ApiKey apiKey, String id, String eventId) {
    TestNode.Response last =
        management(
                apiKey,
                "GET",
                "/api/v0002/device/types/sensor/devices/" + id + "/events/" + eventId)
            .send();
    if (last.status() == 404) {
      return null;
    }
    assertEquals(200, last.status(), last.body());
    JsonNode payload = last.json().get("payload");
    return new String(Base64.getDecoder().decode(payload.asText()), StandardCharsets.UTF_8);
  }

  private static void assertLastEvent(ApiKey apiKey, String id, String eventId, String payload) {
    assertEquals(payload, lastEvent(apiKey, id, eventId));
  }

  private static void assertLastEventIsNot(
      ApiKey apiKey, String id, String eventId, String payload) {
    assertTrue(!payload.equals(lastEvent(apiKey, id, eventId)), "recorded: " + payload);
  }
}
