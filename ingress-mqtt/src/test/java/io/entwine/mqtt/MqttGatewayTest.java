package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.GatewayEvents;
import io.entwine.live.LiveMessage;
import io.entwine.twin.TwinCommand;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IBM gateway clients ({@code g:ORG:TYPE:ID}) against fake twins: what they may publish and
 * subscribe to, and that the commands their twin hands them go out on the device's topic. Against a
 * real node, with IBM's SDK: deploy's {@code MqttGatewaysIT}.
 */
class MqttGatewayTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final DeviceKey GATEWAY = new DeviceKey("acme", "hub", "gw-1");
  private static final DeviceKey BEHIND = new DeviceKey("acme", "sensor", "s-1");
  private static final String GATEWAY_ID = "g:acme:hub:gw-1";
  private static final String TOKEN = "gateway-token-1";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final EndpointFixture endpoint = new EndpointFixture(MqttEndpointTest.settings(32, 100));

  private FakeTwins twins;
  private LocalClusterLink cluster;

  private int start() throws Exception {
    twins = new FakeTwins().device(GATEWAY, TOKEN).via(BEHIND, GATEWAY);
    cluster = new LocalClusterLink();
    return endpoint.start(MqttEndpointTest.settings(32, 100), twins, cluster);
  }

  private RawMqttClient gateway(int port) {
    RawMqttClient client = RawMqttClient.open(port);
    assertEquals(
        MqttConnectReturnCode.CONNECTION_ACCEPTED,
        client.connect(GATEWAY_ID, MqttConnection.DEVICE_USERNAME, TOKEN));
    return client;
  }

  @Test
  void refusesAGatewayWithAWrongTokenOrUsername() throws Exception {
    int port = start();
    for (String[] attempt :
        new String[][] {
          {GATEWAY_ID, MqttConnection.DEVICE_USERNAME, "wrong"},
          {GATEWAY_ID, "someone", TOKEN},
          {"g:other:hub:gw-1", MqttConnection.DEVICE_USERNAME, TOKEN},
        }) {
      try (RawMqttClient client = RawMqttClient.open(port)) {
        assertEquals(
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
            client.connect(attempt[0], attempt[1], attempt[2]),
            String.join(" ", attempt));
      }
    }
  }

  @Test
  void recordsTheGatewaysOwnEventsWithItsTokenAndOthersAsItsGateway() throws Exception {
    try (RawMqttClient client = gateway(start())) {
      client.publish("iot-2/type/hub/id/gw-1/evt/up/fmt/json", MqttQoS.AT_LEAST_ONCE, 1, "{}");
      client.publish("iot-2/evt/up/fmt/json", MqttQoS.AT_LEAST_ONCE, 2, "{}");
      client.publish("iot-2/type/sensor/id/s-1/evt/temp/fmt/json", MqttQoS.AT_LEAST_ONCE, 3, "{}");
      for (int id = 1; id <= 3; id++) {
        assertEquals(MqttMessageType.PUBACK, client.receive(WAIT).fixedHeader().messageType());
      }
      List<FakeTwins.Recording> recorded = twins.recorded;
      assertEquals(3, recorded.size());
      assertEquals(GATEWAY, recorded.get(0).message().device());
      assertEquals(TOKEN, recorded.get(0).credential());
      assertEquals(GATEWAY, recorded.get(1).message().device());
      assertEquals(BEHIND, recorded.get(2).message().device());
      assertEquals(GatewayEvents.clientId(GATEWAY), recorded.get(2).credential());
    }
  }

  @Test
  void closesTheConnectionWhenTheGatewayMayNotActForTheDevice() throws Exception {
    try (RawMqttClient client = gateway(start())) {
      client.publish("iot-2/type/sensor/id/s-2/evt/temp/fmt/json", MqttQoS.AT_LEAST_ONCE, 1, "{}");
      assertTrue(client.closedWithin(WAIT), "refused by the twin: closed, not acknowledged");
      assertTrue(twins.recorded.isEmpty());
    }
  }

  @Test
  void aGatewaySubscribedToItsNotificationsIsToldWhyAPublishWasDroppedAndStaysConnected()
      throws Exception {
    try (RawMqttClient client = gateway(start())) {
      client.subscribe(1, MqttQoS.AT_MOST_ONCE, "iot-2/type/hub/id/gw-1/notify");
      MqttSubAckMessage ack = assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));
      assertEquals(List.of(0), ack.payload().grantedQoSLevels());

      client.publish("iot-2/type/sensor/id/s-2/evt/temp/fmt/json", MqttQoS.AT_LEAST_ONCE, 2, "{}");
      JsonNode notice = noticeAndAck(client);
      assertEquals("publish", notice.path("Request").asText());
      assertEquals("iot-2/type/sensor/id/s-2/evt/temp/fmt/json", notice.path("Topic").asText());
      assertEquals("sensor", notice.path("Type").asText());
      assertEquals("s-2", notice.path("Id").asText());
      assertEquals(GATEWAY_ID, notice.path("Client").asText());
      assertEquals(403, notice.path("RC").asInt());

      client.publish(
          "iot-2/type/sensor/id/s-1/cmd/reboot/fmt/json", MqttQoS.AT_LEAST_ONCE, 3, "{}");
      assertEquals(400, noticeAndAck(client).path("RC").asInt());
      assertTrue(twins.recorded.isEmpty());
      assertTrue(twins.commands.isEmpty());

      client.publish("iot-2/type/sensor/id/s-1/evt/temp/fmt/json", MqttQoS.AT_LEAST_ONCE, 4, "{}");
      assertEquals(MqttMessageType.PUBACK, client.receive(WAIT).fixedHeader().messageType());
      assertEquals(BEHIND, twins.recorded.get(0).message().device());
    }
  }

  @Test
  void managesItselfAndTheDevicesItActsForOnTheirOwnTopicsAndRefusesOthers() throws Exception {
    twins = new FakeTwins().device(GATEWAY, TOKEN).via(BEHIND, GATEWAY);
    cluster = new LocalClusterLink().withManagement();
    int port = endpoint.start(MqttEndpointTest.settings(32, 100), twins, cluster);
    try (RawMqttClient client = gateway(port)) {
      client.subscribe(1, MqttQoS.AT_MOST_ONCE, "iotdm-1/type/+/id/+/response");
      assertEquals(
          List.of(0),
          assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT))
              .payload()
              .grantedQoSLevels());

      String manage = "{\"d\":{\"lifetime\":0},\"reqId\":\"%s\"}";
      client.publish(
          "iotdevice-1/type/sensor/id/s-1/mgmt/manage",
          MqttQoS.AT_LEAST_ONCE,
          2,
          manage.formatted("m1"));
      JsonNode forDevice = responseOn(client, "iotdm-1/type/sensor/id/s-1/response");
      assertEquals("m1", forDevice.path("reqId").asText());
      assertEquals(200, forDevice.path("rc").asInt());

      client.publish(
          "iotdevice-1/type/hub/id/gw-1/mgmt/manage",
          MqttQoS.AT_LEAST_ONCE,
          3,
          manage.formatted("m2"));
      assertEquals(200, responseOn(client, "iotdm-1/type/hub/id/gw-1/response").path("rc").asInt());

      client.publish(
          "iotdevice-1/type/sensor/id/s-2/mgmt/manage",
          MqttQoS.AT_LEAST_ONCE,
          4,
          manage.formatted("m3"));
      JsonNode refused = responseOn(client, "iotdm-1/type/sensor/id/s-2/response");
      assertEquals(403, refused.path("rc").asInt(), refused.toString());
      assertEquals("m3", refused.path("reqId").asText());
      assertEquals(List.of(BEHIND, GATEWAY), cluster.managed, "nothing opened for s-2");
    }
  }

  /** The next PUBLISH on {@code topic}, read past the PUBACKs. */
  private static JsonNode responseOn(RawMqttClient client, String topic) throws Exception {
    while (true) {
      MqttMessage message = client.receive(WAIT);
      assertTrue(message != null, "a response on " + topic);
      if (message instanceof MqttPublishMessage publish) {
        assertEquals(topic, publish.variableHeader().topicName());
        return JSON.readTree(publish.payload().toString(StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void grantsNoOtherGatewaysNotifications() throws Exception {
    try (RawMqttClient client = gateway(start())) {
      client.subscribe(
          1, MqttQoS.AT_MOST_ONCE, "iot-2/type/hub/id/gw-2/notify", "iot-2/type/+/id/+/notify");
      MqttSubAckMessage ack = assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));
      assertEquals(List.of(0x80, 0x80), ack.payload().grantedQoSLevels());
    }
  }

  /** The notification and the PUBACK of a dropped publish, in whichever order they come. */
  private static JsonNode noticeAndAck(RawMqttClient client) throws Exception {
    JsonNode notice = null;
    boolean acknowledged = false;
    for (int i = 0; i < 2; i++) {
      MqttMessage message = client.receive(WAIT);
      if (message instanceof MqttPublishMessage publish) {
        assertEquals("iot-2/type/hub/id/gw-1/notify", publish.variableHeader().topicName());
        notice = JSON.readTree(publish.payload().toString(StandardCharsets.UTF_8));
      } else {
        acknowledged = message.fixedHeader().messageType() == MqttMessageType.PUBACK;
      }
    }
    assertTrue(acknowledged, "the dropped publish is acknowledged");
    assertTrue(notice != null, "the gateway is told why");
    return notice;
  }

  @Test
  void closesTheConnectionOnTopicsAGatewayMayNotPublishTo() throws Exception {
    int port = start();
    for (String topic :
        List.of(
            "iot-2/type/sensor/id/s-1/cmd/reboot/fmt/json",
            "iot-2/state/reported",
            "iot-2/type/sensor/id/s-1/state/desired")) {
      try (RawMqttClient client = gateway(port)) {
        client.publish(topic, MqttQoS.AT_LEAST_ONCE, 1, "{}");
        assertTrue(client.closedWithin(WAIT), topic);
      }
    }
    assertTrue(twins.recorded.isEmpty());
    assertTrue(twins.commands.isEmpty());
  }

  @Test
  void grantsCommandFiltersOnlyAndAttachesToTheGatewaysTwin() throws Exception {
    try (RawMqttClient client = gateway(start())) {
      client.subscribe(
          1,
          MqttQoS.AT_LEAST_ONCE,
          "iot-2/type/+/id/+/cmd/+/fmt/+",
          "iot-2/cmd/+/fmt/+",
          "iot-2/type/+/id/+/evt/+/fmt/+",
          "iot-2/type/sensor/id/s-1/mon");
      MqttSubAckMessage ack = assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));
      assertEquals(List.of(1, 0x80, 0x80, 0x80), ack.payload().grantedQoSLevels());
      assertEquals(List.of(new LocalClusterLink.Attach(GATEWAY, false)), cluster.attaches);
    }
  }

  @Test
  void deliversItsOwnAndItsDevicesCommandsOnTheirTopicsAndConfirmsThem() throws Exception {
    try (RawMqttClient client = gateway(start())) {
      client.subscribe(1, MqttQoS.AT_MOST_ONCE, "iot-2/type/+/id/+/cmd/+/fmt/json");
      assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));

      cluster.handTo(GATEWAY, command(BEHIND, "c-1", "blink"));
      MqttPublishMessage forDevice =
          assertInstanceOf(MqttPublishMessage.class, client.receive(WAIT));
      assertEquals(
          "iot-2/type/sensor/id/s-1/cmd/blink/fmt/json", forDevice.variableHeader().topicName());
      assertEquals("{\"on\":1}", forDevice.payload().toString(StandardCharsets.UTF_8));
      assertTrue(cluster.awaitConfirmed(WAIT, "c-1"));

      cluster.handTo(GATEWAY, command(GATEWAY, "c-2", "restart"));
      MqttPublishMessage own = assertInstanceOf(MqttPublishMessage.class, client.receive(WAIT));
      assertEquals("iot-2/type/hub/id/gw-1/cmd/restart/fmt/json", own.variableHeader().topicName());
    }
  }

  @Test
  void keepsCommandsNoSubscriptionSelectsQueued() throws Exception {
    try (RawMqttClient client = gateway(start())) {
      client.subscribe(1, MqttQoS.AT_MOST_ONCE, "iot-2/type/hub/id/+/cmd/+/fmt/+");
      assertInstanceOf(MqttSubAckMessage.class, client.receive(WAIT));
      cluster.handTo(GATEWAY, command(BEHIND, "c-3", "blink"));
      assertNull(client.receive(SHORT));
      assertFalse(cluster.confirmed.contains("c-3"), "it stays queued on the device's twin");
    }
  }

  @Test
  void announcesTheGatewaysStatusAsItsDevices() throws Exception {
    try (RawMqttClient client = gateway(start())) {
      assertTrue(
          cluster.awaitPublished(
                  WAIT,
                  message ->
                      message instanceof LiveMessage.DeviceStatus status
                          && status.type().equals("hub")
                          && status.id().equals("gw-1"))
              != null);
    }
  }

  private static TwinCommand.DeliverCommand command(DeviceKey device, String id, String name) {
    return new TwinCommand.DeliverCommand(
        device, id, name, "json", "{\"on\":1}".getBytes(StandardCharsets.UTF_8));
  }
}
