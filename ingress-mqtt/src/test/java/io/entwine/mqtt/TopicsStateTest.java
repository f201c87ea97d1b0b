package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The state topics (docs/mqtt.md, "The twin's state") and their payloads. */
class TopicsStateTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void aDevicePublishesItsReportedStateAndSubscribesToItsDeltaAndRejections() {
    assertEquals(new Topics.ReportedState(), Topics.devicePublication("iot-2/state/reported"));
    assertEquals(new Topics.StateDeltaFilter(), Topics.deviceSubscription("iot-2/state/delta"));
    assertEquals(
        new Topics.StateRejectedFilter(null, null),
        Topics.deviceSubscription("iot-2/state/rejected"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "iot-2/state/desired",
        "iot-2/state/delta",
        "iot-2/state/reported/x",
        "iot-2/state",
        "iot-2/type/t/id/i/state/desired"
      })
  void aDeviceWritesNoOtherState(String topic) {
    assertInstanceOf(Topics.Invalid.class, Topics.devicePublication(topic), topic);
  }

  @ParameterizedTest
  @ValueSource(strings = {"iot-2/state/+", "iot-2/state/#", "iot-2/state/reported"})
  void aDeviceSubscribesToNoOtherState(String filter) {
    assertInstanceOf(Topics.Invalid.class, Topics.deviceSubscription(filter), filter);
  }

  @Test
  void anApplicationWritesDesiredStateAndWatchesStateWithWildcards() {
    assertEquals(
        new Topics.DesiredStateTo("thermostat", "lab-1"),
        Topics.applicationPublication("iot-2/type/thermostat/id/lab-1/state/desired"));
    assertInstanceOf(
        Topics.Invalid.class, Topics.applicationPublication("iot-2/type/+/id/lab-1/state/desired"));
    assertInstanceOf(
        Topics.Invalid.class, Topics.applicationPublication("iot-2/type/t/id/i/state/reported"));
    assertEquals(
        new Topics.DeviceStateFilter("+", "+"),
        Topics.applicationSubscription("iot-2/type/+/id/+/state"));
    assertEquals(
        new Topics.StateRejectedFilter("thermostat", "+"),
        Topics.applicationSubscription("iot-2/type/thermostat/id/+/state/rejected"));
    assertInstanceOf(
        Topics.Invalid.class, Topics.applicationSubscription("iot-2/type/+/id/+/state/delta"));
  }

  @Test
  void aStateChangeGoesToTheMatchingFiltersOnItsDevicesTopic() {
    LiveMessage.DeviceStateChanged changed =
        new LiveMessage.DeviceStateChanged(
            "org",
            "thermostat",
            "lab-1",
            "desired",
            3,
            NODES.objectNode(),
            NODES.objectNode().put("interval", 15),
            NODES.objectNode().put("interval", 15));

    assertTrue(Topics.matches(new Topics.DeviceStateFilter("+", "lab-1"), changed));
    assertFalse(Topics.matches(new Topics.DeviceStateFilter("valve", "+"), changed));
    assertFalse(Topics.matches(new Topics.DeviceEventFilter("+", "+", "+", "+"), changed));
    assertEquals("iot-2/type/thermostat/id/lab-1/state", Topics.topicOf(changed));
    assertEquals(
        "{\"change\":\"desired\",\"version\":3,\"reported\":{},\"desired\":{\"interval\":15},"
            + "\"delta\":{\"interval\":15}}",
        new String(Topics.payloadOf(changed), StandardCharsets.UTF_8));
  }

  @Test
  void rejectionsGoToTheWritersOwnTopic() {
    assertTrue(Topics.matchesRejection(new Topics.StateRejectedFilter(null, null), "t", "i"));
    assertTrue(Topics.matchesRejection(new Topics.StateRejectedFilter("+", "i"), "t", "i"));
    assertFalse(Topics.matchesRejection(new Topics.StateRejectedFilter("+", "j"), "t", "i"));
    assertEquals("iot-2/state/rejected", Topics.stateRejectedTopic(true, "t", "i"));
    assertEquals("iot-2/type/t/id/i/state/rejected", Topics.stateRejectedTopic(false, "t", "i"));
  }

  @Test
  void writesAreParsedAndRefusalsBecomeRejections() {
    StatePayloads.Parsed reported = StatePayloads.reported(utf8("{\"interval\":15}"));
    assertEquals(NODES.objectNode().put("interval", 15), reported.write().patch());
    assertEquals(400, StatePayloads.reported(utf8("[1]")).code());
    assertEquals(400, StatePayloads.reported(utf8("{")).code());

    StatePayloads.Parsed desired =
        StatePayloads.desired(utf8("{\"desired\":{\"a\":null},\"version\":4}"));
    assertEquals(4L, desired.write().version());
    assertNull(StatePayloads.desired(utf8("{\"desired\":{}}")).write().version());
    assertEquals(400, StatePayloads.desired(utf8("{\"a\":1}")).code());
    assertEquals(400, StatePayloads.desired(utf8("{\"desired\":{},\"version\":\"x\"}")).code());

    assertArrayEquals(
        utf8(
            "{\"code\":412,\"message\":\"version 4 was expected; the state is at version 6\","
                + "\"version\":6}"),
        StatePayloads.rejectionOf(new Reply.StateVersionMismatch(4, 6)));
    assertArrayEquals(
        utf8("{\"code\":413,\"message\":\"too large\"}"),
        StatePayloads.rejectionOf(new Reply.Rejected(Rejection.TOO_LARGE, "too large")));
    assertNull(StatePayloads.rejectionOf(Reply.Rejected.unauthorized()), "closes instead");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
