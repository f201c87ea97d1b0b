package io.entwine.deploy.mqtt;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.JsonObject;
import com.ibm.wiotp.sdk.codecs.JsonCodec;
import com.ibm.wiotp.sdk.device.config.DeviceConfigAuth;
import com.ibm.wiotp.sdk.device.config.DeviceConfigIdentity;
import com.ibm.wiotp.sdk.device.config.DeviceConfigOptions;
import com.ibm.wiotp.sdk.gateway.GatewayClient;
import com.ibm.wiotp.sdk.gateway.config.GatewayConfig;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IBM gateways on a real node (docs/adr/0057): IBM's own Java SDK ({@code GatewayClient} of {@code
 * com.ibm.wiotp.sdk} 0.4.1) connects over TLS, publishes for itself, for a device that lists it and
 * for an unknown device (registered for it), and receives a command queued for its device; Paho and
 * HTTP show the refusals — a wrong token, another gateway's device, another organization.
 */
class MqttGatewaysIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension static final TlsNode tls = new TlsNode();
  private static Path trustStore;

  @BeforeAll
  static void trustTheNodesCertificate() throws Exception {
    trustStore = trustStoreOf(tls.certificate());
  }

  // ---- IBM's SDK ----

  @Test
  void theSdksGatewayPublishesForItselfAndItsDevicesAndReceivesTheirCommands() throws Exception {
    ApiKey key = tls.fixtures().organizationWithApiKey();
    Device gateway = tls.fixtures().register(key, "hub", "gw-sdk");
    Device behind = tls.fixtures().register(key, "sensor", "s-sdk");
    tls.fixtures().setVia(key, behind, gateway.id());

    String trustStoreBefore = System.getProperty("javax.net.ssl.trustStore");
    RecordingGatewayClient client = sdkGateway(gateway);
    try {
      client.connect();
      client.registerCodec(new JsonCodec());
      JsonObject reading = new JsonObject();
      reading.addProperty("temp", 21);
      assertTrue(client.publishEvent("up", reading, 1));
      assertTrue(client.publishDeviceEvent("sensor", "s-sdk", "temp", reading, 1));
      assertTrue(client.publishDeviceEvent("sensor", "s-new", "temp", reading, 1));

      assertEquals("up", lastEventId(key, gateway));
      assertEquals("temp", lastEventId(key, behind));
      Device registered = new Device(key.org(), "sensor", "s-new", null);
      assertEquals("temp", lastEventId(key, registered));
      JsonNode device = get(key, "/api/v0002/device/types/sensor/devices/s-new").json();
      assertEquals(
          "g:" + key.org() + ":hub:gw-sdk",
          device.path("registration").path("auth").path("id").asText(),
          device.toString());

      client.subscribeToDeviceCommands("sensor", "s-sdk", "+", "json", 1);
      TestNode.Response queued =
          tls.node()
              .request("POST", "/api/v0002/application/types/sensor/devices/s-sdk/commands/blink")
              .organization(key.org())
              .basic(key.key(), key.token())
              .json("{\"on\":true}")
              .send();
      assertEquals(202, queued.status(), queued.body());
      Received command = client.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(command, "the gateway received the command");
      assertEquals("iot-2/type/sensor/id/s-sdk/cmd/blink/fmt/json", command.topic());
      assertEquals("{\"on\":true}", command.payload());
      awaitValue(
          WAIT,
          () -> get(key, "/api/v0002/application/types/sensor/devices/s-sdk/commands").json(),
          list ->
              list.isArray()
                  && list.size() == 1
                  && "delivered".equals(list.get(0).path("status").asText()));
    } finally {
      client.disconnect();
      // the JVM's trust store is for this test's SDK only; other tests in this JVM trust their own
      if (trustStoreBefore == null) {
        System.clearProperty("javax.net.ssl.trustStore");
        System.clearProperty("javax.net.ssl.trustStorePassword");
      } else {
        System.setProperty("javax.net.ssl.trustStore", trustStoreBefore);
      }
    }
  }

  // ---- refusals, with Paho and HTTP ----

  @Test
  void refusesAWrongTokenAndAnotherOrganizationsClientId() throws Exception {
    ApiKey key = tls.fixtures().organizationWithApiKey();
    ApiKey other = tls.fixtures().organizationWithApiKey();
    Device gateway = tls.fixtures().register(key, "hub", "gw-r");
    for (String[] attempt :
        new String[][] {
          {"g:" + key.org() + ":hub:gw-r", "wrong-token"},
          {"g:" + other.org() + ":hub:gw-r", gateway.token()},
        }) {
      MqttException refused =
          assertThrows(
              MqttException.class,
              () ->
                  Paho.connect(
                      tls.node().mqttUri(), attempt[0], Paho.DEVICE_USERNAME, attempt[1], null),
              attempt[0]);
      assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode());
    }
  }

  @Test
  void closesAGatewayPublishingForAnotherGatewaysDeviceAndRecordsNothing() throws Exception {
    ApiKey key = tls.fixtures().organizationWithApiKey();
    Device gateway = tls.fixtures().register(key, "hub", "gw-x");
    Device rival = tls.fixtures().register(key, "hub", "gw-y");
    Device theirs = tls.fixtures().register(key, "sensor", "s-theirs");
    tls.fixtures().setVia(key, theirs, rival.id());

    Paho.Inbox client =
        Paho.inbox(
            tls.node().mqttUri(),
            "g:" + key.org() + ":hub:gw-x",
            Paho.DEVICE_USERNAME,
            gateway.token(),
            true);
    try (client) {
      client.client.publish(
          "iot-2/type/sensor/id/s-theirs/evt/temp/fmt/json",
          new MqttMessage("{\"temp\":1}".getBytes(StandardCharsets.UTF_8)));
    } catch (MqttException closedWhileWaiting) {
      // the server closed the connection instead of acknowledging (MQTT 3.1.1 has no NACK)
    }
    assertTrue(client.lostWithin(WAIT), "the connection was closed");
    assertNoEvents(key, theirs);
  }

  @Test
  void aGatewaySubscribedToItsNotificationsIsToldOfADroppedPublishAndStaysConnected()
      throws Exception {
    ApiKey key = tls.fixtures().organizationWithApiKey();
    Device gateway = tls.fixtures().register(key, "hub", "gw-n");
    Device rival = tls.fixtures().register(key, "hub", "gw-m");
    Device theirs = tls.fixtures().register(key, "sensor", "s-rivals");
    tls.fixtures().setVia(key, theirs, rival.id());

    try (Paho.Inbox client =
        Paho.inbox(
            tls.node().mqttUri(),
            "g:" + key.org() + ":hub:gw-n",
            Paho.DEVICE_USERNAME,
            gateway.token(),
            true)) {
      client.client.subscribe("iot-2/type/hub/id/gw-n/notify", 0);
      client.client.publish(
          "iot-2/type/sensor/id/s-rivals/evt/temp/fmt/json",
          new MqttMessage("{\"temp\":1}".getBytes(StandardCharsets.UTF_8)));
      Paho.Received received =
          client.next(WAIT, message -> message.topic().equals("iot-2/type/hub/id/gw-n/notify"));
      JsonNode notice = new ObjectMapper().readTree(received.payload());
      assertEquals("publish", notice.path("Request").asText(), notice.toString());
      assertEquals("s-rivals", notice.path("Id").asText());
      assertEquals("g:" + key.org() + ":hub:gw-n", notice.path("Client").asText());
      assertEquals(403, notice.path("RC").asInt(), notice.toString());
      assertNoEvents(key, theirs);

      client.client.publish( // still connected: the next event of a device it acts for is recorded
          "iot-2/type/sensor/id/s-mine/evt/temp/fmt/json",
          new MqttMessage("{\"temp\":2}".getBytes(StandardCharsets.UTF_8)));
      assertEquals("temp", lastEventId(key, new Device(key.org(), "sensor", "s-mine", null)));
    }
  }

  @Test
  void aGatewayPublishesOverSecureWebSocket() throws Exception {
    ApiKey key = tls.fixtures().organizationWithApiKey();
    Device gateway = tls.fixtures().register(key, "hub", "gw-ws");
    MqttClient client =
        Paho.connect(
            tls.node().mqttWebSocketUri(),
            "g:" + key.org() + ":hub:gw-ws",
            Paho.DEVICE_USERNAME,
            gateway.token(),
            tls.trustingNode().getSocketFactory());
    try {
      client.publish(
          "iot-2/type/sensor/id/s-ws/evt/temp/fmt/json",
          new MqttMessage("{\"temp\":3}".getBytes(StandardCharsets.UTF_8)));
      assertEquals("temp", lastEventId(key, new Device(key.org(), "sensor", "s-ws", null)));
    } finally {
      client.disconnect();
      client.close();
    }
  }

  @Test
  void gatewaysPublishOverHttpWithIbmsGatewayUsername() {
    ApiKey key = tls.fixtures().organizationWithApiKey();
    Device gateway = tls.fixtures().register(key, "hub", "gw-h");
    Device behind = tls.fixtures().register(key, "sensor", "s-h");
    Device stranger = tls.fixtures().register(key, "sensor", "s-stranger");
    tls.fixtures().setVia(key, behind, gateway.id());
    String user = "g/" + key.org() + "/hub/gw-h";

    assertEquals(200, httpEvent(gateway, user, gateway.token()).status());
    assertEquals(200, httpEvent(behind, user, gateway.token()).status());
    assertEquals(403, httpEvent(stranger, user, gateway.token()).status());
    assertEquals(401, httpEvent(behind, user, "wrong-token").status());
    assertEquals(403, httpEvent(behind, "g/another_org/hub/gw-h", gateway.token()).status());
    assertNoEvents(key, stranger);
  }

  // ---- helpers ----

  /** What the SDK's client received, read where Paho hands it over (see {@link #sdkGateway}). */
  record Received(String topic, String payload) {}

  /**
   * SDK 0.4.1's {@code GatewayClient.messageArrived} reads the device type and id of a command
   * topic as the command and format (its pattern's first two groups), so its command callback
   * cannot be used; the test reads what Paho handed the client instead.
   */
  static final class RecordingGatewayClient extends GatewayClient {
    final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    RecordingGatewayClient(GatewayConfig config) throws Exception {
      super(config);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8)));
    }
  }

  /**
   * The SDK configured as a user would: organization, type, id, token, port, and the node's
   * certificate trusted through the JVM's trust store. The host is the one override: the SDK
   * derives it as {@code ORG.messaging.DOMAIN}, which needs a DNS entry a test machine lacks.
   */
  private static RecordingGatewayClient sdkGateway(Device gateway) throws Exception {
    System.setProperty("javax.net.ssl.trustStore", trustStore.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", "entwine-test");
    DeviceConfigOptions options = new DeviceConfigOptions();
    options.domain = "localhost";
    options.mqtt.port = Integer.parseInt(tls.node().mqttTlsUri().replaceAll(".*:", ""));
    GatewayConfig config =
        new GatewayConfig(
            new DeviceConfigIdentity(gateway.org(), gateway.type(), gateway.id()),
            new DeviceConfigAuth(gateway.token()),
            options) {
          @Override
          public String getMqttServerURI() {
            return tls.node().mqttTlsUri();
          }
        };
    return new RecordingGatewayClient(config);
  }

  private static Path trustStoreOf(Path cert) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (var in = Files.newInputStream(cert)) {
      store.setCertificateEntry(
          "entwine", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    Path file = tls.directory().resolve("trust.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, "entwine-test".toCharArray());
    }
    return file;
  }

  private static TestNode.Response httpEvent(Device device, String user, String token) {
    return tls.node()
        .request(
            "POST",
            "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/events/temp")
        .organization(device.org())
        .basic(user, token)
        .json("{\"d\":{\"temp\":20}}")
        .send();
  }

  private static TestNode.Response get(ApiKey key, String path) {
    return tls.node()
        .request("GET", path)
        .organization(key.org())
        .basic(key.key(), key.token())
        .send();
  }

  private static void assertNoEvents(ApiKey key, Device device) {
    JsonNode events = tls.fixtures().lastEvents(key, device).json();
    assertTrue(events.isArray() && events.isEmpty(), events.toString());
  }

  /** The event id of the device's last event, once it has one. */
  private static String lastEventId(ApiKey key, Device device) {
    JsonNode events =
        awaitValue(
            WAIT,
            () -> tls.fixtures().lastEvents(key, device).json(),
            list -> list.isArray() && list.size() > 0);
    return events.get(0).path("eventId").asText();
  }
}
