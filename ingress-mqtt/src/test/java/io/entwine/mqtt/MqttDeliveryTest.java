package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery to clients against an in-memory cluster ({@link LocalClusterLink}): application
 * subscriptions, subscription buffers, command delivery, application commands, persistent sessions,
 * takeover and status messages. The same against real nodes is deploy's {@code Mqtt*IT}.
 */
class MqttDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final DeviceKey DEVICE = new DeviceKey("acme", "thermostat", "lab-1");
  private static final DeviceKey OTHER = new DeviceKey("acme", "thermostat", "lab-2");
  private static final String TOKEN = "device-token-1";
  private static final String API_KEY = "a-acme-k2j9x0w1qz";
  private static final String API_TOKEN = "api-token-1";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final EndpointFixture endpoint = new EndpointFixture(settings(""));

  private FakeTwins twins;
  private LocalClusterLink cluster;

  private static MqttSettings settings(String overrides) {
    return MqttSettings.from(
        ConfigFactory.parseString(
                overrides
                    + "\nentwine.mqtt { interface = 127.0.0.1, port = 0, tls-port = -1,"
                    + " websocket-port = -1 }")
            .withFallback(ConfigFactory.defaultReference())
            .resolve());
  }

  private int start(String overrides) throws Exception {
    twins = new FakeTwins().device(DEVICE, TOKEN).device(OTHER, TOKEN).apiKey(API_KEY, API_TOKEN);
    cluster = new LocalClusterLink();
    twins.cluster = cluster;
    return endpoint.start(settings(overrides), twins, cluster);
  }

  private int start() throws Exception {
    return start("");
  }

  private static RawMqttClient device(int port, boolean cleanSession) {
    RawMqttClient client = RawMqttClient.open(port);
    MqttConnAckMessage connAck =
        client.connectAck(
            DEVICE.uuid(),
            MqttConnection.DEVICE_USERNAME,
            TOKEN,
            connect -> connect.cleanSession(cleanSession));
    assertNotNull(connAck);
    assertEquals(
        MqttConnectReturnCode.CONNECTION_ACCEPTED, connAck.variableHeader().connectReturnCode());
    return client;
  }

  private static RawMqttClient application(int port, String appId) {
    RawMqttClient client = RawMqttClient.open(port);
    assertEquals(
        MqttConnectReturnCode.CONNECTION_ACCEPTED,
        client.connect("a:acme:" + appId, API_KEY, API_TOKEN));
    return client;
  }

  private static void subscribe(RawMqttClient client, MqttQoS qos, String... filters) {
    client.subscribe(7, qos, filters);
    MqttSubAckMessage subAck = assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));
    for (int granted : subAck.payload().grantedQoSLevels()) {
      assertEquals(qos.value(), granted);
    }
  }

  private static MqttPublishMessage receivePublish(RawMqttClient client) {
    return assertInstanceOf(MqttPublishMessage.class, client.receive(WAIT));
  }

  private static String text(MqttPublishMessage publish) {
    return publish.payload().toString(StandardCharsets.UTF_8);
  }

  private static LiveMessage.DeviceEvent event(String type, String event, String payload) {
    return event(type, event, payload, MqttQoS.AT_LEAST_ONCE);
  }

  private static LiveMessage.DeviceEvent event(
      String type, String event, String payload, MqttQoS publishedWith) {
    return new LiveMessage.DeviceEvent(
        "acme",
        type,
        "lab-1",
        event,
        "json",
        payload.getBytes(StandardCharsets.UTF_8),
        Instant.now(),
        publishedWith.value(),
        null);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // ---- applications ----

  @Test
  void deliversMatchingEventsAtTheSubscriptionQosAndNothingElse() throws Exception {
    try (RawMqttClient app = application(start(), "dashboard")) {
      subscribe(app, MqttQoS.AT_LEAST_ONCE, "iot-2/type/thermostat/id/+/evt/+/fmt/+");

      cluster.feed(event("thermostat", "status", "{\"d\":{\"t\":21}}"));
      MqttPublishMessage publish = receivePublish(app);
      assertEquals(
          "iot-2/type/thermostat/id/lab-1/evt/status/fmt/json",
          publish.variableHeader().topicName());
      assertEquals(MqttQoS.AT_LEAST_ONCE, publish.fixedHeader().qosLevel());
      assertEquals("{\"d\":{\"t\":21}}", text(publish));
      app.puback(publish.variableHeader().packetId());

      cluster.feed(event("lamp", "status", "{}"));
      cluster.feed(new LiveMessage.DeviceStatus("acme", "thermostat", "lab-1", bytes("{}")));
      cluster.feed(
          new LiveMessage.DeviceEvent(
              "other",
              "thermostat",
              "lab-1",
              "status",
              "json",
              bytes("{}"),
              Instant.now(),
              1,
              null));
      assertNull(app.receive(SHORT), "another type, a status and another organization");
    }
  }

  @Test
  void deliversEventsAtTheLowerOfPublishAndSubscriptionQos() throws Exception {
    try (RawMqttClient app = application(start(), "dashboard")) {
      subscribe(app, MqttQoS.AT_LEAST_ONCE, "iot-2/type/thermostat/id/+/evt/+/fmt/+");

      cluster.feed(event("thermostat", "a", "{}", MqttQoS.AT_MOST_ONCE));
      assertEquals(MqttQoS.AT_MOST_ONCE, receivePublish(app).fixedHeader().qosLevel());

      cluster.feed(event("thermostat", "b", "{}", MqttQoS.EXACTLY_ONCE));
      MqttPublishMessage capped = receivePublish(app);
      assertEquals(MqttQoS.AT_LEAST_ONCE, capped.fixedHeader().qosLevel());
      app.puback(capped.variableHeader().packetId());
    }
  }

  @Test
  void aResumedApplicationSessionGetsAgainWhatItHadNotAcknowledged() throws Exception {
    int port = start();
    RawMqttClient first = RawMqttClient.open(port);
    assertEquals(
        MqttConnectReturnCode.CONNECTION_ACCEPTED,
        first.connect(
            "a:acme:archive", API_KEY, API_TOKEN, connect -> connect.cleanSession(false)));
    subscribe(first, MqttQoS.AT_LEAST_ONCE, "iot-2/type/+/id/+/evt/+/fmt/+");
    cluster.feed(event("thermostat", "unacknowledged", "{}"));
    assertEquals(
        "iot-2/type/thermostat/id/lab-1/evt/unacknowledged/fmt/json",
        receivePublish(first).variableHeader().topicName());
    first.close();
    assertNotNull(
        cluster.awaitPublished(
            WAIT,
            m ->
                m instanceof LiveMessage.ApplicationStatus status
                    && new String(status.payload(), StandardCharsets.UTF_8)
                        .contains("\"Disconnect\"")),
        "the first connection is gone before the client comes back");

    try (RawMqttClient again = RawMqttClient.open(port)) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          again.connect(
              "a:acme:archive", API_KEY, API_TOKEN, connect -> connect.cleanSession(false)));
      MqttPublishMessage resent = receivePublish(again);
      assertEquals(
          "iot-2/type/thermostat/id/lab-1/evt/unacknowledged/fmt/json",
          resent.variableHeader().topicName());
      assertEquals(MqttQoS.AT_LEAST_ONCE, resent.fixedHeader().qosLevel());
    }
  }

  @Test
  void deliversAMessageOnceThroughTheMatchingSubscriptionWithTheHighestQos() throws Exception {
    try (RawMqttClient app = application(start(), "dashboard")) {
      subscribe(app, MqttQoS.AT_MOST_ONCE, "iot-2/type/+/id/+/evt/+/fmt/+");
      subscribe(app, MqttQoS.EXACTLY_ONCE, "iot-2/type/thermostat/id/lab-1/evt/+/fmt/json");

      cluster.feed(event("thermostat", "status", "{}", MqttQoS.EXACTLY_ONCE));
      MqttPublishMessage publish = receivePublish(app);
      assertEquals(MqttQoS.EXACTLY_ONCE, publish.fixedHeader().qosLevel());
      int id = publish.variableHeader().packetId();
      app.pubrec(id);
      MqttMessage pubrel = app.receive(WAIT);
      assertEquals(MqttMessageType.PUBREL, pubrel.fixedHeader().messageType());
      assertEquals(id, ((MqttMessageIdVariableHeader) pubrel.variableHeader()).messageId());
      app.pubcomp(id);
      assertNull(app.receive(SHORT), "one copy only");
    }
  }

  @Test
  void deliversStatusAndCommandsToTheirFilters() throws Exception {
    try (RawMqttClient app = application(start(), "monitor")) {
      subscribe(
          app,
          MqttQoS.AT_MOST_ONCE,
          "iot-2/type/+/id/+/mon",
          "iot-2/app/+/mon",
          "iot-2/type/thermostat/id/+/cmd/+/fmt/+");

      cluster.feed(new LiveMessage.DeviceStatus("acme", "lamp", "l-1", bytes("{\"a\":1}")));
      cluster.feed(new LiveMessage.ApplicationStatus("acme", "other-app", bytes("{\"a\":2}")));
      cluster.feed(
          new LiveMessage.DeviceCommand(
              "acme", "thermostat", "lab-1", "c-1", "reboot", "json", bytes("{\"a\":3}")));
      assertEquals("iot-2/type/lamp/id/l-1/mon", receivePublish(app).variableHeader().topicName());
      assertEquals("iot-2/app/other-app/mon", receivePublish(app).variableHeader().topicName());
      MqttPublishMessage command = receivePublish(app);
      assertEquals(
          "iot-2/type/thermostat/id/lab-1/cmd/reboot/fmt/json",
          command.variableHeader().topicName());
      assertEquals("{\"a\":3}", text(command));
    }
  }

  @Test
  void keepsTheNewestMessagesOfAFullSubscriptionBufferAndCountsTheDrops() throws Exception {
    int port = start("entwine.mqtt { subscription-buffer = 5, max-in-flight-deliveries = 1 }");
    try (RawMqttClient app = application(port, "slow")) {
      subscribe(app, MqttQoS.AT_LEAST_ONCE, "iot-2/type/+/id/+/evt/+/fmt/+");
      for (int i = 0; i < 10; i++) {
        cluster.feed(event("thermostat", "e" + i, "{}"));
      }
      MqttPublishMessage first = receivePublish(app);
      assertTrue(first.variableHeader().topicName().contains("/evt/e0/"));
      assertNull(app.receive(SHORT), "one message in flight until acknowledged");
      app.puback(first.variableHeader().packetId());
      for (int i = 5; i < 10; i++) {
        MqttPublishMessage next = receivePublish(app);
        assertTrue(next.variableHeader().topicName().contains("/evt/e" + i + "/"), "e" + i);
        app.puback(next.variableHeader().packetId());
      }
      app.disconnect();
    }
    JsonNode status = awaitStatus("iot-2/app/slow/mon", "Disconnect");
    assertEquals(4, status.get("DroppedMsg").asLong(), status.toString());
    assertEquals(6, status.get("WriteMsg").asLong(), status.toString());
  }

  @Test
  void stopsDeliveringAfterUnsubscribe() throws Exception {
    try (RawMqttClient app = application(start(), "dashboard")) {
      subscribe(app, MqttQoS.AT_MOST_ONCE, "iot-2/type/+/id/+/evt/+/fmt/+");
      assertTrue(cluster.isWatched("acme"));
      app.unsubscribe(8, "iot-2/type/+/id/+/evt/+/fmt/+");
      assertEquals(MqttMessageType.UNSUBACK, app.receive(WAIT).fixedHeader().messageType());
      assertFalse(cluster.isWatched("acme"), "no subscription left: the feed is not watched");
      cluster.feed(event("thermostat", "status", "{}"));
      assertNull(app.receive(SHORT));
    }
  }

  // ---- commands to devices ----

  @Test
  void deliversCommandsToASubscribedDeviceAndConfirmsThemAtPuback() throws Exception {
    try (RawMqttClient device = device(start(), true)) {
      subscribe(device, MqttQoS.AT_LEAST_ONCE, "iot-2/cmd/+/fmt/json");
      assertEquals(List.of(new LocalClusterLink.Attach(DEVICE, false)), cluster.attaches);

      cluster.queue(DEVICE, "c-1", "reboot", "json", bytes("{\"delay\":5}"));
      MqttPublishMessage command = receivePublish(device);
      assertEquals("iot-2/cmd/reboot/fmt/json", command.variableHeader().topicName());
      assertEquals(MqttQoS.AT_LEAST_ONCE, command.fixedHeader().qosLevel());
      assertEquals("{\"delay\":5}", text(command));
      assertFalse(cluster.awaitConfirmed(SHORT, "c-1"), "not delivered before PUBACK");
      device.puback(command.variableHeader().packetId());
      assertTrue(cluster.awaitConfirmed(WAIT, "c-1"));

      cluster.queue(DEVICE, "c-2", "reboot", "text", bytes("now"));
      assertNull(device.receive(SHORT), "no subscription takes format text");
      assertFalse(cluster.confirmed.contains("c-2"), "it stays queued on the twin");
    }
  }

  @Test
  void confirmsQos0CommandsWhenWrittenAndQos2CommandsAtPubrec() throws Exception {
    try (RawMqttClient device = device(start(), true)) {
      subscribe(device, MqttQoS.AT_MOST_ONCE, "iot-2/cmd/ping/fmt/+");
      subscribe(device, MqttQoS.EXACTLY_ONCE, "iot-2/cmd/reboot/fmt/+");

      cluster.queue(DEVICE, "c-0", "ping", "txt", bytes("0"));
      assertEquals(MqttQoS.AT_MOST_ONCE, receivePublish(device).fixedHeader().qosLevel());
      assertTrue(cluster.awaitConfirmed(WAIT, "c-0"));

      cluster.queue(DEVICE, "c-2", "reboot", "txt", bytes("2"));
      MqttPublishMessage command = receivePublish(device);
      assertEquals(MqttQoS.EXACTLY_ONCE, command.fixedHeader().qosLevel());
      assertFalse(cluster.awaitConfirmed(SHORT, "c-2"));
      device.pubrec(command.variableHeader().packetId());
      assertTrue(cluster.awaitConfirmed(WAIT, "c-2"));
      assertEquals(MqttMessageType.PUBREL, device.receive(WAIT).fixedHeader().messageType());
      device.pubcomp(command.variableHeader().packetId());
    }
  }

  @Test
  void neverDeliversAnotherDevicesCommandsNorTheSameCommandTwice() throws Exception {
    try (RawMqttClient device = device(start(), true)) {
      subscribe(device, MqttQoS.AT_MOST_ONCE, "iot-2/cmd/+/fmt/+");
      cluster.queue(DEVICE, "c-1", "reboot", "json", bytes("{}"));
      receivePublish(device);
      // a twin that sends again (a re-attach with deliverWaiting), and one that is wrong
      cluster.handTo(
          DEVICE, new TwinCommand.DeliverCommand(DEVICE, "c-1", "reboot", "json", bytes("{}")));
      cluster.handTo(
          DEVICE, new TwinCommand.DeliverCommand(OTHER, "c-9", "reboot", "json", bytes("{}")));
      assertNull(device.receive(SHORT));
    }
  }

  // ---- the twin's state delta ----

  private static Reply.StateView stateAt(long version, String delta) throws Exception {
    return new Reply.StateView(
        JSON.createObjectNode(),
        JSON.readTree(delta),
        JSON.readTree(delta),
        version,
        JSON.createObjectNode());
  }

  private static TwinCommand.DeliverStateDelta pushed(long version, String delta) throws Exception {
    return new TwinCommand.DeliverStateDelta(DEVICE, version, JSON.readTree(delta));
  }

  private static JsonNode receiveDelta(RawMqttClient device) throws Exception {
    MqttPublishMessage delta = receivePublish(device);
    assertEquals("iot-2/state/delta", delta.variableHeader().topicName());
    device.puback(delta.variableHeader().packetId());
    return JSON.readTree(text(delta));
  }

  /**
   * Subscribes to the delta and returns the current delta sent on subscribing, which may come
   * before the SUBACK (MQTT 3.1.1, 3.8.4: the server may send matching PUBLISHes first).
   */
  private static JsonNode subscribeToDelta(RawMqttClient device) throws Exception {
    device.subscribe(7, MqttQoS.AT_LEAST_ONCE, "iot-2/state/delta");
    MqttMessage first = device.receive(WAIT);
    MqttMessage second = device.receive(WAIT);
    MqttPublishMessage delta =
        assertInstanceOf(
            MqttPublishMessage.class, first instanceof MqttSubAckMessage ? second : first);
    assertInstanceOf(MqttSubAckMessage.class, first instanceof MqttSubAckMessage ? first : second);
    assertEquals("iot-2/state/delta", delta.variableHeader().topicName());
    device.puback(delta.variableHeader().packetId());
    return JSON.readTree(text(delta));
  }

  @Test
  void aConnectionGetsEachDeltaVersionOnceAndANewSubscriptionTheCurrentOneAgain() throws Exception {
    int port = start();
    twins.deviceState = stateAt(3, "{\"interval\":15}");
    try (RawMqttClient device = device(port, true)) {
      assertEquals(
          JSON.readTree("{\"version\":3,\"delta\":{\"interval\":15}}"), subscribeToDelta(device));

      // a twin that restarted or moved pushes the version again, or a late push an older one
      cluster.handTo(DEVICE, pushed(3, "{\"interval\":15}"));
      cluster.handTo(DEVICE, pushed(2, "{\"interval\":10}"));
      assertNull(device.receive(SHORT));

      cluster.handTo(DEVICE, pushed(4, "{\"interval\":20}"));
      assertEquals(4, receiveDelta(device).get("version").asLong());
    }

    twins.deviceState = stateAt(4, "{\"interval\":20}");
    try (RawMqttClient reconnected = device(port, true)) {
      assertEquals(
          JSON.readTree("{\"version\":4,\"delta\":{\"interval\":20}}"),
          subscribeToDelta(reconnected));
    }
  }

  // ---- commands from applications ----

  @Test
  void queuesApplicationCommandsOnTheTwinAndAcknowledgesOnceAccepted() throws Exception {
    int port = start();
    try (RawMqttClient device = device(port, true);
        RawMqttClient app = application(port, "controller")) {
      subscribe(device, MqttQoS.AT_LEAST_ONCE, "iot-2/cmd/+/fmt/+");
      app.publish(
          "iot-2/type/thermostat/id/lab-1/cmd/setInterval/fmt/json",
          MqttQoS.AT_LEAST_ONCE,
          3,
          "{\"interval\":15}");
      MqttMessage puback = app.receive(WAIT);
      assertEquals(MqttMessageType.PUBACK, puback.fixedHeader().messageType());
      assertEquals(1, twins.commands.size());
      FakeTwins.QueuedCommand queued = twins.commands.get(0);
      assertEquals(DEVICE, queued.device());
      assertEquals("setInterval", queued.command());
      UUID.fromString(queued.commandId());

      MqttPublishMessage command = receivePublish(device);
      assertEquals("iot-2/cmd/setInterval/fmt/json", command.variableHeader().topicName());
      assertArrayEquals(bytes("{\"interval\":15}"), bytes(text(command)));
    }
  }

  @Test
  void disconnectsApplicationWhoseCommandTheTwinRefuses() throws Exception {
    int port = start();
    twins.commandReply = new Reply.Rejected(Rejection.LIMIT_EXCEEDED, "100 commands waiting");
    try (RawMqttClient app = application(port, "controller")) {
      app.publish(
          "iot-2/type/thermostat/id/lab-1/cmd/reboot/fmt/json", MqttQoS.AT_LEAST_ONCE, 3, "{}");
      assertTrue(app.closedWithin(WAIT));
    }
    try (RawMqttClient app = application(port, "controller")) {
      app.publish(
          "iot-2/type/thermostat/id/lab-1/cmd/reboot/fmt/json", MqttQoS.AT_MOST_ONCE, 0, "{");
      assertTrue(app.closedWithin(WAIT), "invalid JSON on a json command topic");
    }
  }

  // ---- sessions ----

  @Test
  void resumesAPersistentSessionWithItsSubscriptionsAndTheCommandsQueuedMeanwhile()
      throws Exception {
    int port = start();
    try (RawMqttClient device = device(port, false)) {
      subscribe(device, MqttQoS.AT_LEAST_ONCE, "iot-2/cmd/+/fmt/json");
      device.disconnect();
      assertTrue(device.closedWithin(WAIT));
    }
    cluster.queue(DEVICE, "c-offline", "reboot", "json", bytes("{}"));

    try (RawMqttClient device = RawMqttClient.open(port)) {
      MqttConnAckMessage connAck =
          device.connectAck(
              DEVICE.uuid(), "use-token-auth", TOKEN, connect -> connect.cleanSession(false));
      assertTrue(connAck.variableHeader().isSessionPresent());
      MqttPublishMessage command = receivePublish(device);
      assertEquals("iot-2/cmd/reboot/fmt/json", command.variableHeader().topicName());
      device.puback(command.variableHeader().packetId());
      assertTrue(cluster.awaitConfirmed(WAIT, "c-offline"));
      assertEquals(new LocalClusterLink.Attach(DEVICE, true), cluster.attaches.get(1));
      device.disconnect();
      assertTrue(device.closedWithin(WAIT));
    }

    try (RawMqttClient device = RawMqttClient.open(port)) {
      MqttConnAckMessage connAck =
          device.connectAck(
              DEVICE.uuid(), "use-token-auth", TOKEN, connect -> connect.cleanSession(true));
      assertFalse(connAck.variableHeader().isSessionPresent());
      assertTrue(cluster.storedSubscriptions(DEVICE.uuid()).isEmpty(), "a clean session clears");
    }
  }

  @Test
  void closesTheConnectionWhenAnotherNodeTakesItsClientIdOver() throws Exception {
    try (RawMqttClient device = device(start(), true)) {
      cluster.claimElsewhere(DEVICE.uuid());
      assertTrue(device.closedWithin(WAIT));
    }
    JsonNode status = awaitStatus("iot-2/type/thermostat/id/lab-1/mon", "Disconnect");
    assertEquals(ConnectionStatus.REASON_TAKEN_OVER, status.get("Reason").asText());
  }

  // ---- status ----

  @Test
  void publishesConnectAndDisconnectStatusWithIbmFieldsAndTraffic() throws Exception {
    int port = start();
    long sent;
    long received;
    try (RawMqttClient device = device(port, true)) {
      JsonNode connect = awaitStatus("iot-2/type/thermostat/id/lab-1/mon", "Connect");
      assertEquals(DEVICE.uuid(), connect.get("ClientID").asText());
      assertEquals("127.0.0.1", connect.get("ClientAddr").asText());
      assertEquals(port, connect.get("Port").asInt());
      assertEquals("mqtt4-tcp", connect.get("Protocol").asText());
      assertEquals("use-token-auth", connect.get("User").asText());
      Instant.parse(connect.get("Time").asText());
      Instant.parse(connect.get("ConnectTime").asText());
      assertNull(connect.get("Reason"));

      for (int id = 1; id <= 2; id++) {
        device.publish("iot-2/evt/status/fmt/json", MqttQoS.AT_LEAST_ONCE, id, "{\"d\":{}}");
        assertEquals(MqttMessageType.PUBACK, device.receive(WAIT).fixedHeader().messageType());
      }
      device.disconnect();
      assertTrue(device.closedWithin(WAIT));
      sent = device.bytesSent();
      received = device.bytesReceived();
    }
    JsonNode disconnect = awaitStatus("iot-2/type/thermostat/id/lab-1/mon", "Disconnect");
    assertEquals(ConnectionStatus.REASON_NORMAL, disconnect.get("Reason").asText());
    assertEquals(2, disconnect.get("ReadMsg").asLong());
    assertEquals(sent, disconnect.get("ReadBytes").asLong(), "CONNECT, 2 PUBLISH, DISCONNECT");
    assertEquals(received, disconnect.get("WriteBytes").asLong(), "CONNACK and 2 PUBACK");
    assertEquals(0, disconnect.get("WriteMsg").asLong());

    try (RawMqttClient app = application(port, "dash")) {
      JsonNode appStatus = awaitStatus("iot-2/app/dash/mon", "Connect");
      assertEquals(API_KEY, appStatus.get("User").asText());
      assertEquals("a:acme:dash", appStatus.get("ClientID").asText());
    }
  }

  /** The first status message on {@code topic} with {@code action}, parsed. */
  private JsonNode awaitStatus(String topic, String action) throws Exception {
    LiveMessage message =
        cluster.awaitPublished(
            WAIT,
            m ->
                (m instanceof LiveMessage.DeviceStatus
                        || m instanceof LiveMessage.ApplicationStatus)
                    && Topics.topicOf(m).equals(topic)
                    && new String(Topics.payloadOf(m), StandardCharsets.UTF_8)
                        .contains("\"Action\":\"" + action + "\""));
    assertNotNull(message, "no " + action + " status on " + topic);
    return JSON.readTree(Topics.payloadOf(message));
  }
}
