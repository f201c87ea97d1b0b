package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.identity.DeviceKey;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The endpoint's counters (docs/operations.md, "Metrics"): packets by type in both directions,
 * whatever the phase of the connection, and refused CONNECTs by return code.
 */
class MqttMetersTest {
  private static final DeviceKey DEVICE = new DeviceKey("acme", "thermostat", "metered-0001");
  private static final String TOKEN = "device-token-1";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final MeterRegistry registry = new SimpleMeterRegistry();
  private static TestListeners mqtt;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    MqttSettings settings = MqttEndpointTest.settings(32, 100, 100, Duration.ofSeconds(10));
    mqtt = TestListeners.start(settings, new FakeTwins().device(DEVICE, TOKEN), registry);
    port = mqtt.port();
  }

  @AfterAll
  static void stop() throws Exception {
    mqtt.close();
  }

  @Test
  void countsPacketsByTypeInBothDirections() {
    double connects = received("connect");
    double publishes = received("publish");
    double pubacks = sent("puback");
    double connacks = sent("connack");
    try (RawMqttClient client = RawMqttClient.open(port)) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          client.connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN));
      client.publish("iot-2/evt/status/fmt/json", MqttQoS.AT_LEAST_ONCE, 7, "{\"d\":{}}");
      client.receive(WAIT);
    }
    awaitAtLeast(() -> received("connect"), connects + 1);
    awaitAtLeast(() -> received("publish"), publishes + 1);
    awaitAtLeast(() -> sent("connack"), connacks + 1);
    awaitAtLeast(() -> sent("puback"), pubacks + 1);
  }

  @Test
  void countsARefusedConnectByItsReturnCode() {
    double refused = refused("not_authorized");
    double connacks = sent("connack");
    try (RawMqttClient client = RawMqttClient.open(port)) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
          client.connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, "wrong"));
    }
    awaitAtLeast(() -> refused("not_authorized"), refused + 1);
    awaitAtLeast(() -> sent("connack"), connacks + 1);
  }

  private static double received(String type) {
    return registry.get("entwine.mqtt.packets.received").tag("type", type).counter().count();
  }

  private static double sent(String type) {
    return registry.get("entwine.mqtt.packets.sent").tag("type", type).counter().count();
  }

  private static double refused(String reason) {
    return registry.get("entwine.mqtt.connects.refused").tag("reason", reason).counter().count();
  }

  private static void awaitAtLeast(DoubleSupplier value, double expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (value.getAsDouble() < expected) {
      if (System.nanoTime() > deadline) {
        assertEquals(expected, value.getAsDouble());
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // polls until the deadline
    }
  }
}
