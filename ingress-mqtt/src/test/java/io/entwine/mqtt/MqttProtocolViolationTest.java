package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.identity.DeviceKey;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Protocol violations found by the fuzz campaign (deploy's FuzzIT) end the connection without an
 * unhandled failure on the event loop, which Vert.x would log at ERROR with a stack trace.
 */
class MqttProtocolViolationTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final DeviceKey DEVICE = new DeviceKey("acme", "thermostat", "lab-sensor-0001");
  private static final String TOKEN = "device-token-1";
  private static final MqttSettings SETTINGS = MqttEndpointTest.settings(32, 100);

  private final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private MqttListeners listeners;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = MqttIngress.newVertx(SETTINGS, unexpected::add);
    listeners =
        MqttListeners.start(
                vertx, SETTINGS, new FakeTwins().device(DEVICE, TOKEN), new LocalClusterLink())
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    port = listeners.port(MqttListeners.TCP).orElseThrow();
  }

  @AfterEach
  void stop() throws Exception {
    listeners.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSecondConnectWhileTheFirstIsCheckedClosesQuietly() {
    RawMqttClient client = RawMqttClient.open(port);
    byte[] connect = connectBytes(client);
    // both in one write: Vert.x closes the endpoint on the second before the first is accepted
    byte[] twice = java.util.Arrays.copyOf(connect, 2 * connect.length);
    System.arraycopy(connect, 0, twice, connect.length, connect.length);
    client.sendRaw(twice);

    assertTrue(client.closedWithin(WAIT), "the connection stays open");
    assertEquals(List.of(), unexpected);
    // and the listener still serves the device
    RawMqttClient again = RawMqttClient.open(port);
    assertEquals(
        MqttConnectReturnCode.CONNECTION_ACCEPTED,
        again.connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN));
    assertEquals(List.of(), unexpected);
  }

  @Test
  void aConnectReadAfterTheConnectionWasClosedIsQuiet() {
    for (byte[] closing :
        List.of(
            new byte[] {0x00, 0}, // reserved packet type 0
            new byte[] {(byte) 0xF0, 0}, // reserved packet type 15
            new byte[] {0x20, 2, 0, 0}, // CONNACK, which only a server sends
            new byte[] {0x36, 5, 0, 1, 'a', 0, 1}, // PUBLISH with QoS 3
            new byte[] {0x30, 3, 0, 1, 'a'})) { // PUBLISH to a topic the device may not use
      RawMqttClient client = RawMqttClient.open(port);
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          client.connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN));
      // in one write: a packet the connection is closed for, then a CONNECT that Vert.x reads
      // from the same bytes after the close
      byte[] connect = connectBytes(client);
      byte[] both = java.util.Arrays.copyOf(closing, closing.length + connect.length);
      System.arraycopy(connect, 0, both, closing.length, connect.length);
      client.sendRaw(both);

      assertTrue(client.closedWithin(WAIT), "the connection stays open");
    }
    assertEquals(List.of(), unexpected);
  }

  @Test
  void packetsBeforeConnectCloseTheConnectionQuietly() {
    for (byte[] packet :
        List.of(
            new byte[] {(byte) 0xC0, 0}, // PINGREQ
            new byte[] {(byte) 0x82, 6, 0, 1, 0, 1, 'a', 0}, // SUBSCRIBE a
            new byte[] {0x30, 3, 0, 1, 'a'}, // PUBLISH a
            new byte[] {(byte) 0xE0, 0})) { // DISCONNECT
      RawMqttClient client = RawMqttClient.open(port);
      client.sendRaw(packet);

      assertTrue(client.closedWithin(WAIT), "the connection stays open");
    }
    assertEquals(List.of(), unexpected);
  }

  private static byte[] connectBytes(RawMqttClient client) {
    return client.encode(
        MqttMessageBuilders.connect()
            .protocolVersion(MqttVersion.MQTT_3_1_1)
            .clientId(DEVICE.uuid())
            .hasUser(true)
            .username(MqttConnection.DEVICE_USERNAME)
            .hasPassword(true)
            .password(TOKEN.getBytes(StandardCharsets.UTF_8))
            .build());
  }
}
