package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The endpoint's protocol rules against fake twins, with a raw client that controls every packet.
 * The same rules against a real node and Cassandra are in deploy's {@code Mqtt*IT}.
 */
class MqttEndpointTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final DeviceKey DEVICE = new DeviceKey("acme", "thermostat", "lab-sensor-0001");
  private static final String DEVICE_ID = DEVICE.uuid();
  private static final String TOKEN = "device-token-1";
  private static final String API_KEY = "a-acme-k2j9x0w1qz";
  private static final String API_TOKEN = "api-token-1";
  private static final String EVENT = "iot-2/evt/status/fmt/json";

  @RegisterExtension static final EndpointFixture endpoint = new EndpointFixture(settings(32, 100));

  private FakeTwins twins;
  private LocalClusterLink cluster;

  static MqttSettings settings(int maxInFlight, int maxConnections) {
    return settings(maxInFlight, maxConnections, 100, Duration.ofSeconds(2));
  }

  static MqttSettings settings(
      int maxInFlight, int maxConnections, int perAddress, Duration connectTimeout) {
    return new MqttSettings(
        "127.0.0.1",
        0,
        -1,
        -1,
        Optional.empty(),
        2,
        maxConnections,
        perAddress,
        maxInFlight,
        131072,
        3,
        connectTimeout,
        5000,
        16 << 20,
        32,
        Duration.ofSeconds(60),
        Duration.ofHours(1));
  }

  private int start(MqttSettings settings) throws Exception {
    twins = new FakeTwins().device(DEVICE, TOKEN).apiKey(API_KEY, API_TOKEN);
    cluster = new LocalClusterLink();
    return endpoint.start(settings, twins, cluster);
  }

  private int start() throws Exception {
    return start(settings(32, 100));
  }

  private RawMqttClient device(int port) {
    RawMqttClient client = RawMqttClient.open(port);
    assertEquals(
        MqttConnectReturnCode.CONNECTION_ACCEPTED,
        client.connect(DEVICE_ID, MqttConnection.DEVICE_USERNAME, TOKEN));
    return client;
  }

  private static int idOf(MqttMessage message) {
    return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
  }

  private static MqttMessageType typeOf(MqttMessage message) {
    assertNotNull(message, "expected a packet from the server");
    return message.fixedHeader().messageType();
  }

  // ---- CONNECT ----

  @Test
  void acceptsDeviceWithItsToken() throws Exception {
    try (RawMqttClient client = device(start())) {
      assertFalse(client.closedWithin(SHORT));
    }
  }

  @Test
  void refusesWrongTokenUnknownDeviceOrOtherOrganizationWithNotAuthorized() throws Exception {
    int port = start();
    for (String[] attempt :
        new String[][] {
          {DEVICE_ID, "use-token-auth", "wrong"},
          {"d:acme:thermostat:ghost", "use-token-auth", TOKEN},
          {"d:other:thermostat:lab-sensor-0001", "use-token-auth", TOKEN},
          {DEVICE_ID, "someone", TOKEN},
          {DEVICE_ID, null, null},
          {"a:acme:dash", API_KEY, "wrong"},
          {"a:other:dash", API_KEY, API_TOKEN},
          {"a:acme:dash", "not-a-key", API_TOKEN},
        }) {
      try (RawMqttClient client = RawMqttClient.open(port)) {
        assertEquals(
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
            client.connect(attempt[0], attempt[1], attempt[2]),
            String.join(" ", String.valueOf(attempt[0]), String.valueOf(attempt[1])));
        assertTrue(client.closedWithin(WAIT), "closed after CONNACK 5");
      }
    }
    assertTrue(twins.recorded.isEmpty());
  }

  @Test
  void refusesClientIdsThatAreNeitherDeviceNorApplication() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
          client.connect("paho-12345", "use-token-auth", TOKEN));
      assertTrue(client.closedWithin(WAIT));
    }
  }

  @Test
  void acceptsMqtt31ClientsWithLongClientIds() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      assertTrue(DEVICE_ID.length() > 23, "longer than MQTT 3.1 allows");
      // Netty's encoder enforces MQTT 3.1's 23 characters, so this CONNECT is written by hand.
      client.sendRaw(mqtt31Connect(DEVICE_ID, "use-token-auth", TOKEN));
      MqttMessage answer = client.receive(WAIT);
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          ((MqttConnAckMessage) answer).variableHeader().connectReturnCode());
    }
  }

  static byte[] mqtt31Connect(String clientId, String username, String password) {
    ByteArrayOutputStream variable = new ByteArrayOutputStream();
    MqttFrames.string(variable, "MQIsdp");
    variable.write(3); // protocol level of MQTT 3.1
    variable.write(0xC2); // username, password, clean session
    variable.write(0);
    variable.write(60); // keep-alive
    MqttFrames.string(variable, clientId);
    MqttFrames.string(variable, username);
    MqttFrames.string(variable, password);
    return MqttFrames.packet(0x10, variable.toByteArray());
  }

  @Test
  void refusesMqtt5WithUnsupportedProtocolVersion() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      client.send(
          MqttMessageBuilders.connect()
              .protocolVersion(MqttVersion.MQTT_5)
              .clientId(DEVICE_ID)
              .hasUser(true)
              .username("use-token-auth")
              .hasPassword(true)
              .password(TOKEN.getBytes(StandardCharsets.UTF_8))
              .build());
      // an MQTT 5 CONNACK: no session present, reason 0x84, no properties
      assertArrayEquals(new byte[] {0x20, 0x03, 0x00, (byte) 0x84, 0x00}, client.receiveRaw(WAIT));
      assertTrue(client.closedWithin(WAIT));
    }
  }

  @Test
  void acceptsApplicationWithApiKeyOfItsOrganization() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          client.connect("a:acme:dashboard", API_KEY, API_TOKEN));
    }
  }

  @Test
  void refusesConnectionsBeyondTheLimitWithServerUnavailable() throws Exception {
    int port = start(settings(32, 1));
    try (RawMqttClient first = device(port);
        RawMqttClient second = RawMqttClient.open(port)) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          second.connect("a:acme:dashboard", API_KEY, API_TOKEN));
      assertFalse(first.closedWithin(SHORT));
    }
    try (RawMqttClient again = device(port)) {
      assertFalse(again.closedWithin(SHORT), "a closed connection frees its slot");
    }
  }

  @Test
  void secondConnectionWithTheSameClientIdTakesOver() throws Exception {
    int port = start();
    try (RawMqttClient first = device(port);
        RawMqttClient second = device(port)) {
      assertTrue(first.closedWithin(WAIT));
      assertFalse(second.closedWithin(SHORT));
    }
  }

  @Test
  void closesSilentConnectionsAfterOneAndAHalfKeepAlives() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          client.connect(DEVICE_ID, "use-token-auth", TOKEN, c -> c.keepAlive(1)));
      long started = System.nanoTime();
      assertTrue(client.closedWithin(Duration.ofSeconds(5)));
      assertTrue(System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(1000));
    }
  }

  @Test
  void closesConnectionsThatNeverSendConnect() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      assertTrue(client.closedWithin(Duration.ofSeconds(5)), "connect-timeout is 2 s here");
    }
  }

  // ---- PUBLISH ----

  @Test
  void recordsQos0EventWithItsPayloadFormatAndIotfTime() throws Exception {
    try (RawMqttClient client = device(start())) {
      client.publish(
          EVENT, MqttQoS.AT_MOST_ONCE, 0, "{\"d\":{\"t\":1},\"ts\":\"2026-11-23T10:00:00Z\"}");
      FakeTwins.Recording recording = awaitRecording();
      assertEquals(DEVICE, recording.message().device());
      assertEquals("status", recording.message().eventId());
      assertEquals("json", recording.message().format());
      assertEquals(Instant.parse("2026-11-23T10:00:00Z"), recording.message().timestamp());
      assertEquals("mqtt", recording.message().origin());
      assertEquals(TOKEN, recording.credential());
    }
  }

  @Test
  void acknowledgesQos1OnlyAfterTheTwinRecorded() throws Exception {
    try (RawMqttClient client = device(start())) {
      twins.autoComplete = false;
      client.publish(EVENT, MqttQoS.AT_LEAST_ONCE, 7, "{\"d\":{}}");
      FakeTwins.Recording recording = twins.nextRecord(WAIT);
      assertNotNull(recording);
      assertNull(client.receive(SHORT), "no PUBACK before the twin answered");
      recording.done();
      MqttMessage ack = client.receive(WAIT);
      assertEquals(MqttMessageType.PUBACK, typeOf(ack));
      assertEquals(7, idOf(ack));
    }
  }

  @Test
  void completesQos2ExactlyOnceEvenWhenTheClientResends() throws Exception {
    try (RawMqttClient client = device(start())) {
      twins.autoComplete = false;
      client.publish(EVENT, MqttQoS.EXACTLY_ONCE, 9, "{\"d\":{}}");
      FakeTwins.Recording recording = twins.nextRecord(WAIT);
      client.publish(EVENT, MqttQoS.EXACTLY_ONCE, 9, "{\"d\":{}}"); // resend while persisting
      assertNull(client.receive(SHORT), "no PUBREC before the twin answered");
      recording.done();
      assertEquals(MqttMessageType.PUBREC, typeOf(client.receive(WAIT)));
      client.publish(EVENT, MqttQoS.EXACTLY_ONCE, 9, "{\"d\":{}}"); // resend after a lost PUBREC
      assertEquals(MqttMessageType.PUBREC, typeOf(client.receive(WAIT)));
      client.pubrel(9);
      MqttMessage complete = client.receive(WAIT);
      assertEquals(MqttMessageType.PUBCOMP, typeOf(complete));
      assertEquals(9, idOf(complete));
      assertEquals(1, twins.recorded.size(), "recorded once");
    }
  }

  @Test
  void writesTheEventsThatArriveDuringAWriteTogetherAndAcknowledgesInArrivalOrder()
      throws Exception {
    try (RawMqttClient client = device(start())) {
      twins.autoComplete = false;
      for (int id = 1; id <= 3; id++) {
        client.publish(EVENT, MqttQoS.AT_LEAST_ONCE, id, "{\"d\":{\"n\":" + id + "}}");
      }
      FakeTwins.Recording first = twins.nextRecord(WAIT);
      assertNull(twins.nextRecord(SHORT), "one write at a time for the device's twin");
      first.done();
      assertEquals(1, idOf(client.receive(WAIT)));

      List<FakeTwins.Recording> together = List.of(twins.nextRecord(WAIT), twins.nextRecord(WAIT));
      assertEquals(List.of(2), twins.batches, "the two that waited go as one write");
      together.get(1).done();
      assertNull(client.receive(SHORT), "one write: nothing is acknowledged before all of it");
      together.get(0).done();
      for (int id = 2; id <= 3; id++) {
        assertEquals(id, idOf(client.receive(WAIT)));
      }
    }
  }

  @Test
  void stopsReadingAtTheInFlightLimitAndResumesWhenTwinsCatchUp() throws Exception {
    try (RawMqttClient client = device(start(settings(4, 100)))) {
      twins.autoComplete = false;
      for (int id = 1; id <= 40; id++) {
        client.publish(EVENT, MqttQoS.AT_LEAST_ONCE, id, "{\"d\":{}}");
      }
      FakeTwins.Recording first = twins.nextRecord(WAIT);
      assertNull(twins.nextRecord(SHORT), "one write at a time for the device's twin");
      first.done();
      int acked = 0;
      while (acked < 40) {
        FakeTwins.Recording next = twins.nextRecord(WAIT);
        if (next != null) {
          assertTrue(twins.waitingRecords() < 4);
          next.done();
        }
        for (MqttMessage ack; (ack = client.receive(Duration.ofMillis(20))) != null; ) {
          assertEquals(++acked, idOf(ack), "in order");
        }
        if (next == null) {
          break;
        }
      }
      assertEquals(40, acked);
      assertEquals(40, twins.recorded.size());
      assertTrue(
          twins.batches.stream().allMatch(size -> size <= 4),
          "no more read than the in-flight limit: " + twins.batches);
      assertFalse(twins.batches.isEmpty(), "events waiting behind a write go together");
    }
  }

  @Test
  void disconnectsDeviceThatPublishesOutsideItsTopics() throws Exception {
    int port = start();
    for (String topic :
        new String[] {
          "iot-2/type/thermostat/id/lab-2/evt/status/fmt/json",
          "iot-2/cmd/reboot/fmt/json",
          "some/topic",
          "iot-2/evt/status/fmt/json/extra"
        }) {
      try (RawMqttClient client = device(port)) {
        client.publish(topic, MqttQoS.AT_LEAST_ONCE, 1, "{\"d\":{}}");
        assertTrue(client.closedWithin(WAIT), topic);
      }
    }
    assertTrue(twins.recorded.isEmpty());
  }

  @Test
  void readsEveryPublishByItsOwnTopicWhenAConnectionChangesTopics() throws Exception {
    try (RawMqttClient client = device(start())) {
      String[] topics = {EVENT, EVENT, "iot-2/evt/alarm/fmt/text", EVENT};
      for (int id = 1; id <= topics.length; id++) {
        client.publish(topics[id - 1], MqttQoS.AT_LEAST_ONCE, id, "{\"d\":{}}");
        assertEquals(id, idOf(client.receive(WAIT)));
      }
      client.publish(
          "iot-2/type/thermostat/id/lab-2/evt/status/fmt/json",
          MqttQoS.AT_LEAST_ONCE,
          topics.length + 1,
          "{\"d\":{}}");
      assertTrue(client.closedWithin(WAIT));
    }
    assertEquals(
        List.of("status/json", "status/json", "alarm/text", "status/json"),
        twins.recorded.stream()
            .map(r -> r.message().eventId() + "/" + r.message().format())
            .toList());
  }

  @Test
  void disconnectsOnInvalidJsonOnAJsonTopicButTakesAnythingOnOthers() throws Exception {
    int port = start();
    try (RawMqttClient client = device(port)) {
      client.publish("iot-2/evt/raw/fmt/bin", MqttQoS.AT_LEAST_ONCE, 1, "{\"d\":");
      assertEquals(MqttMessageType.PUBACK, typeOf(client.receive(WAIT)));
      client.publish(EVENT, MqttQoS.AT_LEAST_ONCE, 2, "{\"d\":");
      assertTrue(client.closedWithin(WAIT));
    }
    assertEquals(1, twins.recorded.size());
  }

  @Test
  void acceptsPayloadAtTheLimitAndDisconnectsAboveIt() throws Exception {
    int port = start();
    try (RawMqttClient client = device(port)) {
      client.publish("iot-2/evt/blob/fmt/bin", MqttQoS.AT_LEAST_ONCE, 1, new byte[131072]);
      assertEquals(MqttMessageType.PUBACK, typeOf(client.receive(WAIT)));
      client.publish("iot-2/evt/blob/fmt/bin", MqttQoS.AT_LEAST_ONCE, 2, new byte[131073]);
      assertTrue(client.closedWithin(WAIT));
    }
    try (RawMqttClient client = device(port)) {
      try {
        client.publish("iot-2/evt/blob/fmt/bin", MqttQoS.AT_LEAST_ONCE, 1, new byte[300_000]);
      } catch (UncheckedIOException closedWhileSending) {
        // the server closed the connection before the client finished writing
      }
      assertTrue(client.closedWithin(WAIT), "larger than a packet may be: the decoder refuses");
    }
    assertEquals(1, twins.recorded.size());
  }

  @Test
  void disconnectsWhenTheTwinRefuses() throws Exception {
    try (RawMqttClient client = device(start())) {
      twins.autoComplete = false;
      client.publish(EVENT, MqttQoS.AT_LEAST_ONCE, 1, "{\"d\":{}}");
      twins.nextRecord(WAIT).reply().complete(new Reply.Rejected(Rejection.FORBIDDEN, "disabled"));
      assertTrue(client.closedWithin(WAIT));
    }
  }

  @Test
  void applicationPublishesEventsOfDevicesOfItsOwnOrganization() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      client.connect("a:acme:dashboard", API_KEY, API_TOKEN);
      client.publish(
          "iot-2/type/thermo/id/lab-9/evt/status/fmt/json", MqttQoS.AT_LEAST_ONCE, 1, "{}");
      assertEquals(MqttMessageType.PUBACK, typeOf(client.receive(WAIT)));
      FakeTwins.Recording recording = twins.recorded.get(0);
      assertEquals(new DeviceKey("acme", "thermo", "lab-9"), recording.message().device());
      assertEquals(API_KEY, recording.credential());
    }
  }

  // ---- SUBSCRIBE ----

  @Test
  void grantsDeviceItsCommandTopicsAndRefusesEverythingElse() throws Exception {
    try (RawMqttClient client = device(start())) {
      client.subscribe(
          1, "iot-2/cmd/+/fmt/+", "iot-2/evt/status/fmt/json", "iot-2/cmd/reboot/fmt/json", "#");
      MqttSubAckMessage subAck = assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));
      assertEquals(List.of(1, 0x80, 1, 0x80), subAck.payload().grantedQoSLevels());
      assertFalse(client.closedWithin(SHORT), "a refused subscription keeps the connection");
    }
  }

  @Test
  void grantsIbmApplicationFiltersUpToTheLimit() throws Exception {
    try (RawMqttClient client = RawMqttClient.open(start())) {
      client.connect("a:acme:dashboard", API_KEY, API_TOKEN);
      client.subscribe(
          1,
          "iot-2/type/+/id/+/evt/+/fmt/+",
          "iot-2/type/thermo/id/+/cmd/+/fmt/json",
          "iot-2/cmd/+/fmt/+",
          "iot-2/type/+/id/+/mon",
          "iot-2/app/+/mon");
      MqttSubAckMessage subAck = assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));
      assertEquals(List.of(1, 1, 0x80, 1, 0x80), subAck.payload().grantedQoSLevels(), "limit 3");
    }
  }

  // ---- will ----

  @Test
  void recordsTheWillAfterAnUngracefulCloseOnly() throws Exception {
    int port = start();
    byte[] will = "{\"d\":{\"online\":false}}".getBytes(StandardCharsets.UTF_8);
    RawMqttClient client = RawMqttClient.open(port);
    client.connect(
        DEVICE_ID, "use-token-auth", TOKEN, c -> withWill(c, "iot-2/evt/lwt/fmt/json", will));
    client.close();
    FakeTwins.Recording recording = awaitRecording();
    assertEquals("lwt", recording.message().eventId());
    assertArrayEquals(will, recording.message().payload());

    try (RawMqttClient graceful = RawMqttClient.open(port)) {
      graceful.connect(
          DEVICE_ID, "use-token-auth", TOKEN, c -> withWill(c, "iot-2/evt/lwt/fmt/json", will));
      graceful.disconnect();
      assertTrue(graceful.closedWithin(WAIT));
    }
    try (RawMqttClient forbidden = RawMqttClient.open(port)) {
      forbidden.connect(DEVICE_ID, "use-token-auth", TOKEN, c -> withWill(c, "some/topic", will));
    }
    Thread.sleep(SHORT.toMillis());
    assertEquals(1, twins.recorded.size(), "no will after DISCONNECT or to a forbidden topic");
  }

  private static void withWill(
      MqttMessageBuilders.ConnectBuilder connect, String topic, byte[] payload) {
    connect.willFlag(true).willTopic(topic).willMessage(payload).willQoS(MqttQoS.AT_LEAST_ONCE);
  }

  // ---- malformed input ----

  @Test
  void closesConnectionsSendingGarbageAndKeepsServingOthers() throws Exception {
    int port = start();
    Random random = new Random(42);
    try (RawMqttClient healthy = device(port)) {
      for (int i = 0; i < 100; i++) {
        try (RawMqttClient garbage = RawMqttClient.open(port)) {
          byte[] bytes = new byte[1 + random.nextInt(64)];
          random.nextBytes(bytes);
          if (i % 2 == 0) {
            bytes[0] = 0x10; // looks like CONNECT, the rest is noise
          }
          garbage.sendRaw(bytes);
        }
      }
      healthy.publish(EVENT, MqttQoS.AT_LEAST_ONCE, 1, "{\"d\":{}}");
      assertEquals(MqttMessageType.PUBACK, typeOf(healthy.receive(WAIT)));
    }
    try (RawMqttClient after = device(port)) {
      after.publish(EVENT, MqttQoS.AT_LEAST_ONCE, 1, "{\"d\":{}}");
      assertEquals(MqttMessageType.PUBACK, typeOf(after.receive(WAIT)));
    }
  }

  @Test
  void closesAConnectedClientThatSendsAMalformedPacket() throws Exception {
    try (RawMqttClient client = device(start())) {
      client.sendRaw(new byte[] {0x30, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f});
      assertTrue(client.closedWithin(WAIT));
    }
  }

  private FakeTwins.Recording awaitRecording() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (twins.recorded.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(twins.recorded.isEmpty(), "nothing was recorded");
    return twins.recorded.get(0);
  }
}
