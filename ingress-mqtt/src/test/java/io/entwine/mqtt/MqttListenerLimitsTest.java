package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.identity.DeviceKey;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MQTT listener against slow and greedy clients (issue 23, defect 5): one address cannot hold
 * more than its share of connections, and a CONNECT that does not arrive whole in time closes the
 * connection however slowly it trickles (Vert.x's connect timeout counts decoded packets, not
 * bytes; kept here so that an upgrade that changes it shows).
 */
class MqttListenerLimitsTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final int PER_ADDRESS = 3;
  private static final DeviceKey DEVICE = new DeviceKey("acme", "thermostat", "lab-sensor-0001");
  private static final String TOKEN = "device-token-1";

  private static TestListeners mqtt;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    MqttSettings settings = MqttEndpointTest.settings(32, 100, PER_ADDRESS, CONNECT_TIMEOUT);
    mqtt = TestListeners.start(settings, new FakeTwins().device(DEVICE, TOKEN));
    port = mqtt.port();
  }

  @AfterAll
  static void stop() throws Exception {
    mqtt.close();
  }

  @Test
  void closesAConnectionThatTricklesItsConnectPacket() {
    byte[] connect =
        MqttEndpointTest.mqtt31Connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN);
    try (RawMqttClient slow = RawMqttClient.open(port)) {
      // a valid CONNECT, one byte at a time: never idle, complete only after the timeout
      long deadline = System.nanoTime() + CONNECT_TIMEOUT.multipliedBy(4).toNanos();
      boolean closed = false;
      for (int i = 0; !closed && i < connect.length - 1 && System.nanoTime() < deadline; i++) {
        slow.sendRaw(new byte[] {connect[i]});
        closed = slow.closedWithin(Duration.ofMillis(300));
      }
      assertTrue(closed, "closed by the server");
    } catch (java.io.UncheckedIOException reset) {
      // writing to a connection the server closed: closed, too
    }
  }

  @Test
  void keepsAConnectionThatConnectedInTime() {
    try (RawMqttClient device = device()) {
      assertFalse(device.closedWithin(CONNECT_TIMEOUT.multipliedBy(2)));
    }
  }

  @Test
  void closesConnectionsBeyondThePerAddressLimitAtOnce() {
    List<RawMqttClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        open.add(RawMqttClient.open(port));
      }
      try (RawMqttClient extra = RawMqttClient.open(port)) {
        assertTrue(
            extra.closedWithin(CONNECT_TIMEOUT.dividedBy(2)), "closed before its CONNECT timeout");
      }
      // the first ones are still open: one of them connects
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          open.get(0).connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN));
    } finally {
      open.forEach(RawMqttClient::close);
    }
    // the server frees a slot when it sees the close, which happens after the client's close()
    try (RawMqttClient again = connectedWithin(Duration.ofSeconds(10))) {
      assertFalse(again.closedWithin(Duration.ofMillis(300)), "closed connections free the slot");
    }
  }

  private static RawMqttClient connectedWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      RawMqttClient client = RawMqttClient.open(port);
      MqttConnectReturnCode code;
      try {
        code = client.connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN);
      } catch (java.io.UncheckedIOException closedWhileWriting) {
        code = null;
      }
      if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
        return client;
      }
      client.close();
      assertTrue(System.nanoTime() < deadline, "no slot freed within " + timeout);
    }
  }

  private static RawMqttClient device() {
    RawMqttClient client = RawMqttClient.open(port);
    assertEquals(
        MqttConnectReturnCode.CONNECTION_ACCEPTED,
        client.connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN));
    return client;
  }
}
