package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.mqtt.MqttFrames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node with a (generated, self-signed) certificate: MQTT over TLS and over secure WebSocket,
 * plain TCP beside them, and garbage on every listener closing only that connection.
 */
class MqttTransportsIT {
  private static final String STATUS = "{\"d\":{\"on\":true}}";

  @RegisterExtension static final TlsNode tls = new TlsNode();
  private static SSLContext trustingNode;
  private ApiKey apiKey;
  private Device device;

  @BeforeAll
  static void trustTheNodesCertificate() throws Exception {
    trustingNode = tls.trustingNode();
  }

  @BeforeEach
  void registerDevice() {
    apiKey = tls.fixtures().organizationWithApiKey();
    device = tls.fixtures().register(apiKey, "lamp", "l-1");
  }

  @Test
  void recordsEventsOverTls() throws Exception {
    publishAndCheck(tls.node().mqttTlsUri(), "over-tls");
  }

  @Test
  void recordsEventsOverSecureWebSocket() throws Exception {
    assertTrue(tls.node().mqttWebSocketUri().startsWith("wss://"));
    publishAndCheck(tls.node().mqttWebSocketUri(), "over-wss");
  }

  @Test
  void servesPlainTcpBesideTls() throws Exception {
    MqttClient client = Paho.device(tls.node().mqttUri(), device);
    try {
      client.publish("iot-2/evt/plain/fmt/json", Paho.message(STATUS, 1));
      assertTrue(tls.fixtures().lastEvents(apiKey, device).body().contains("\"plain\""));
    } finally {
      Paho.closeQuietly(client);
    }
  }

  @Test
  void negotiatesTls12OrNewer() throws Exception {
    URI listener = URI.create(tls.node().mqttTlsUri());
    try (SSLSocket socket =
        (SSLSocket)
            trustingNode.getSocketFactory().createSocket(listener.getHost(), listener.getPort())) {
      socket.startHandshake();
      String protocol = socket.getSession().getProtocol();
      assertTrue(List.of("TLSv1.2", "TLSv1.3").contains(protocol), protocol);
    }
  }

  @Test
  void survivesRandomAndTruncatedFramesOnEveryListener() throws Exception {
    Random random = new Random(20261123);
    int[] ports = {
      URI.create(tls.node().mqttUri()).getPort(),
      URI.create(tls.node().mqttTlsUri()).getPort(),
      URI.create(tls.node().mqttWebSocketUri()).getPort()
    };
    byte[] connect = connectPacket(Paho.clientId(device), device.token());
    byte[] publish = publishPacket("iot-2/evt/fuzz/fmt/json", STATUS);
    for (int i = 0; i < 150; i++) {
      int port = ports[i % ports.length];
      byte[] frame =
          switch (i % 5) {
            case 0 -> randomBytes(random, 1 + random.nextInt(512));
            case 1 -> truncated(connect, random);
            case 2 -> concat(connect, truncated(publish, random));
            case 3 ->
                concat(connect, new byte[] {0x30, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f});
            default -> concat(new byte[] {0x10}, randomBytes(random, random.nextInt(64)));
          };
      sendAndClose(port, frame);
    }

    assertEquals(200, tls.node().request("GET", "/health/ready").send().status());
    publishAndCheck(tls.node().mqttUri(), "after-fuzz");
    publishAndCheck(tls.node().mqttTlsUri(), "after-fuzz-tls");
    assertTrue(
        !tls.fixtures().lastEvents(apiKey, device).body().contains("\"fuzz\""),
        "a truncated PUBLISH is never recorded");
  }

  private void publishAndCheck(String uri, String event) throws Exception {
    MqttClient client =
        Paho.connect(
            uri,
            Paho.clientId(device),
            Paho.DEVICE_USERNAME,
            device.token(),
            uri.startsWith("tcp:") ? null : trustingNode.getSocketFactory());
    try {
      client.publish("iot-2/evt/" + event + "/fmt/json", Paho.message(STATUS, 1));
      assertTrue(
          tls.fixtures().lastEvents(apiKey, device).body().contains("\"" + event + "\""),
          "persisted before PUBACK");
    } finally {
      Paho.closeQuietly(client);
    }
  }

  private static void sendAndClose(int port, byte[] bytes) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoLinger(true, 0);
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException closedByTheNode) {
      // the node may close first; that is the point
    }
  }

  private static byte[] connectPacket(String clientId, String password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    MqttFrames.string(body, "MQTT");
    body.write(4); // MQTT 3.1.1
    body.write(0xC2); // username, password, clean session
    body.write(0);
    body.write(60);
    MqttFrames.string(body, clientId);
    MqttFrames.string(body, Paho.DEVICE_USERNAME);
    MqttFrames.string(body, password);
    return MqttFrames.packet(0x10, body.toByteArray());
  }

  private static byte[] publishPacket(String topic, String payload) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    MqttFrames.string(body, topic);
    body.write(0);
    body.write(1); // packet id 1, QoS 1
    body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
    return MqttFrames.packet(0x32, body.toByteArray());
  }

  private static byte[] truncated(byte[] frame, Random random) {
    return Arrays.copyOf(frame, 1 + random.nextInt(frame.length - 1));
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }
}
