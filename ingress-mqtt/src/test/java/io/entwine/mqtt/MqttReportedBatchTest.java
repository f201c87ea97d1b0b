package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device's reported patches over QoS 1 go to its twin as its events do: those that arrive during
 * a write go together in the next one, in order, each acknowledged only after that write, a refused
 * one answered on the rejection topic without failing the others.
 */
class MqttReportedBatchTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DeviceKey DEVICE = new DeviceKey("acme", "thermostat", "lab-sensor-0001");
  private static final String TOKEN = "device-token-1";

  @RegisterExtension
  static final EndpointFixture endpoint = new EndpointFixture(MqttEndpointTest.settings(32, 100));

  @Test
  void writesThePatchesThatArriveDuringAWriteTogetherAndRejectsOnlyTheRefusedOne()
      throws Exception {
    FakeTwins twins = new FakeTwins().device(DEVICE, TOKEN);
    LinkedBlockingQueue<FakeTwins.ReportedWrite> writes = new LinkedBlockingQueue<>();
    twins.reportedWrites = writes;
    int port = endpoint.start(MqttEndpointTest.settings(32, 100), twins, new LocalClusterLink());
    try (RawMqttClient client = RawMqttClient.open(port)) {
      assertEquals(
          MqttConnectReturnCode.CONNECTION_ACCEPTED,
          client.connect(DEVICE.uuid(), MqttConnection.DEVICE_USERNAME, TOKEN));
      client.subscribe(1, Topics.stateRejectedTopic(true, DEVICE.type(), DEVICE.id()));
      assertEquals(MqttMessageType.SUBACK, client.receive(WAIT).fixedHeader().messageType());

      for (int id = 2; id <= 4; id++) {
        client.publish(Topics.REPORTED_STATE, MqttQoS.AT_LEAST_ONCE, id, "{\"step\":" + id + "}");
      }
      FakeTwins.ReportedWrite first = writes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(first);
      assertEquals(1, first.patches().size());
      assertNull(
          writes.poll(SHORT.toMillis(), TimeUnit.MILLISECONDS),
          "one write at a time for the device's twin");
      first.reply().complete(new Reply.StateView(null, null, null, 1, null));
      assertEquals(2, idOf(client.receive(WAIT)));

      FakeTwins.ReportedWrite together = writes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(together);
      assertEquals(
          List.of(3, 4),
          together.patches().stream().map(patch -> patch.get("step").asInt()).toList(),
          "the two that waited go as one write, in arrival order");
      assertNull(client.receive(SHORT), "nothing acknowledged before the write is persisted");
      together
          .reply()
          .complete(
              new Reply.ReportedPatchesApplied(
                  Arrays.asList(new Reply.Rejected(Rejection.INVALID, "too deep"), null)));

      List<MqttMessage> answers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        answers.add(client.receive(WAIT));
      }
      List<Integer> acknowledged = new ArrayList<>();
      JsonNode rejection = null;
      for (MqttMessage answer : answers) {
        assertNotNull(answer);
        if (answer instanceof MqttPublishMessage publish) {
          rejection = JSON.readTree(ByteBufUtil.getBytes(publish.payload()));
        } else {
          assertEquals(MqttMessageType.PUBACK, answer.fixedHeader().messageType());
          acknowledged.add(idOf(answer));
        }
      }
      assertEquals(List.of(3, 4), acknowledged, "both acknowledged, in order");
      assertNotNull(rejection, "the refused patch is answered on the rejection topic");
      assertEquals(400, rejection.get("code").asInt());
      assertEquals("too deep", rejection.get("message").asText());
      assertFalse(client.closedWithin(SHORT), "a refused patch does not close the connection");
    }
  }

  private static int idOf(MqttMessage message) {
    assertNotNull(message, "expected a packet from the server");
    return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
  }
}
