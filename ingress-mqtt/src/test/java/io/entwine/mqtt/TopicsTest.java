package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.live.LiveMessage;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

  // ---- devices publish ----

  @Test
  void devicePublishesItsEvents() {
    assertEquals(
        new Topics.DeviceEvent("status", "json"),
        Topics.devicePublication("iot-2/evt/status/fmt/json"));
    assertEquals(
        new Topics.DeviceEvent("a_b.c-1", "bin"),
        Topics.devicePublication("iot-2/evt/a_b.c-1/fmt/bin"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "iot-2",
        "iot-2/evt/status/fmt",
        "iot-2/evt/status/fmt/json/extra",
        "/iot-2/evt/status/fmt/json",
        "iot-2/evt/status/fmt/json/",
        "iot-2/evt//fmt/json",
        "iot-2/evt/status/fmt/",
        "iot-2/evt/+/fmt/json",
        "iot-2/evt/status/fmt/+",
        "iot-2/evt/#",
        "iot-2/evt/sta tus/fmt/json",
        "iot-2/evt/thirty-three-characters-long-event/fmt/json",
        "iot-2/cmd/reboot/fmt/json",
        "IOT-2/evt/status/fmt/json",
        "iot-2/EVT/status/fmt/json",
        "iot-2/evt/status/format/json",
        "iot-2/type/t/id/i/evt/status/fmt/json",
        "some/other/topic",
        "$SYS/broker/load"
      })
  void deviceMayNotPublishElsewhere(String topic) {
    assertInstanceOf(Topics.Invalid.class, Topics.devicePublication(topic), topic);
  }

  @Test
  void invalidTopicNamesTheRule() {
    Topics.Invalid invalid = (Topics.Invalid) Topics.devicePublication("iot-2/evt/bad id/fmt/json");
    assertTrue(invalid.reason().contains("bad id"), invalid.reason());
    Topics.Invalid format = (Topics.Invalid) Topics.devicePublication("iot-2/evt/ok/fmt/js on");
    assertTrue(format.reason().startsWith("Invalid format"), format.reason());
  }

  // ---- applications publish ----

  @Test
  void applicationPublishesEventsAndCommandsOfDevices() {
    assertEquals(
        new Topics.EventOnBehalf("thermo", "lab-1", "status", "json"),
        Topics.applicationPublication("iot-2/type/thermo/id/lab-1/evt/status/fmt/json"));
    assertEquals(
        new Topics.CommandTo("thermo", "lab-1", "reboot", "text"),
        Topics.applicationPublication("iot-2/type/thermo/id/lab-1/cmd/reboot/fmt/text"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "iot-2/evt/status/fmt/json",
        "iot-2/type/+/id/lab-1/evt/status/fmt/json",
        "iot-2/type/thermo/id/+/evt/status/fmt/json",
        "iot-2/type/thermo/id/lab-1/evt/+/fmt/json",
        "iot-2/type/thermo/id/lab-1/cmd/reboot/fmt/+",
        "iot-2/type/thermo/id/lab-1/mon",
        "iot-2/type/thermo/id/lab-1/sts/status/fmt/json",
        "iot-2/type/thermo/id/lab-1/evt/status/format/json",
        "iot-2/kind/thermo/id/lab-1/evt/status/fmt/json",
        "iot-2/type/thermo/name/lab-1/evt/status/fmt/json",
        "iot-2/type/the/rmo/id/lab-1/evt/status/fmt/json",
        "iot-2/type//id/lab-1/evt/status/fmt/json",
        "iot-2/type/thermo/id/lab 1/evt/status/fmt/json",
        "iot-2/app/myapp/mon"
      })
  void applicationMayNotPublishElsewhere(String topic) {
    assertInstanceOf(Topics.Invalid.class, Topics.applicationPublication(topic), topic);
  }

  // ---- devices subscribe ----

  @Test
  void aManagedDeviceSubscribesToItsManagementRequests() {
    Topics.Filter all = Topics.deviceSubscription("iotdm-1/#");
    assertEquals(new Topics.ManagementFilter("iotdm-1/#"), all);
    assertTrue(Topics.matchesManagement(all, "iotdm-1/mgmt/initiate/device/reboot"));
    assertTrue(Topics.matchesManagement(all, "iotdm-1/response"));

    Topics.Filter initiations = Topics.deviceSubscription("iotdm-1/mgmt/initiate/+/+");
    assertTrue(Topics.matchesManagement(initiations, "iotdm-1/mgmt/initiate/firmware/update"));
    assertFalse(Topics.matchesManagement(initiations, "iotdm-1/response"));
    assertFalse(
        Topics.matchesManagement(Topics.deviceSubscription("iotdm-1/response"), "iotdm-1/observe"));
    assertFalse(
        Topics.matchesManagement(
            Topics.deviceSubscription("iot-2/cmd/+/fmt/+"), "iotdm-1/response"));
    assertInstanceOf(Topics.Invalid.class, Topics.applicationSubscription("iotdm-1/#"));
  }

  @Test
  void deviceSubscribesToItsCommands() {
    assertEquals(
        new Topics.CommandFilter("reboot", "json"),
        Topics.deviceSubscription("iot-2/cmd/reboot/fmt/json"));
    assertEquals(
        new Topics.CommandFilter("+", "+"), Topics.deviceSubscription("iot-2/cmd/+/fmt/+"));
    assertEquals(
        new Topics.CommandFilter("+", "json"), Topics.deviceSubscription("iot-2/cmd/+/fmt/json"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "#",
        "+",
        "iot-2/#",
        "iot-2/cmd/#",
        "iot-2/cmd/+",
        "iot-2/cmd/+/fmt/#",
        "iot-2/cmd/re+/fmt/json",
        "iot-2/evt/status/fmt/json",
        "iot-2/evt/+/fmt/+",
        "iot-2/type/+/id/+/cmd/+/fmt/+",
        "iot-2/cmd/bad command/fmt/json",
        "iot-2/cmd//fmt/json"
      })
  void deviceMayNotSubscribeElsewhere(String filter) {
    assertInstanceOf(Topics.Invalid.class, Topics.deviceSubscription(filter), filter);
  }

  // ---- applications subscribe ----

  @Test
  void applicationSubscribesToEventsCommandsAndStatus() {
    assertEquals(
        new Topics.DeviceEventFilter("+", "+", "+", "+"),
        Topics.applicationSubscription("iot-2/type/+/id/+/evt/+/fmt/+"));
    assertEquals(
        new Topics.DeviceEventFilter("thermo", "+", "status", "json"),
        Topics.applicationSubscription("iot-2/type/thermo/id/+/evt/status/fmt/json"));
    assertEquals(
        new Topics.DeviceCommandFilter("thermo", "lab-1", "+", "+"),
        Topics.applicationSubscription("iot-2/type/thermo/id/lab-1/cmd/+/fmt/+"));
    assertEquals(
        new Topics.DeviceStatusFilter("+", "+"),
        Topics.applicationSubscription("iot-2/type/+/id/+/mon"));
    assertEquals(
        new Topics.DeviceStatusFilter("thermo", "lab-1"),
        Topics.applicationSubscription("iot-2/type/thermo/id/lab-1/mon"));
    assertEquals(
        new Topics.AppStatusFilter("+"), Topics.applicationSubscription("iot-2/app/+/mon"));
    assertEquals(
        new Topics.AppStatusFilter("dashboard-1"),
        Topics.applicationSubscription("iot-2/app/dashboard-1/mon"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "#",
        "iot-2/#",
        "iot-2/type/+/id/+/evt/#",
        "iot-2/type/+/id/+/evt/+/fmt",
        "iot-2/type/+/id/+/evt/+/fmt/+/x",
        "iot-2/type/#/id/+/evt/+/fmt/+",
        "iot-2/type/th+/id/+/evt/+/fmt/+",
        "iot-2/type/+/id/+/sts/+/fmt/+",
        "iot-2/type/+/id/+",
        "iot-2/type/+/id/+/mon/x",
        "iot-2/type/+/id/+/mon/+",
        "iot-2/app/mon",
        "iot-2/app/a b/mon",
        "iot-2/app/+/status",
        "iot-2/evt/+/fmt/+",
        "iot-2/cmd/+/fmt/+",
        "/iot-2/type/+/id/+/evt/+/fmt/+"
      })
  void applicationMayNotSubscribeElsewhere(String filter) {
    assertInstanceOf(Topics.Invalid.class, Topics.applicationSubscription(filter), filter);
  }

  @Test
  void wildcardMatchesAnyValueAndLiteralsOnlyThemselves() {
    assertTrue(Topics.matches("+", "anything"));
    assertTrue(Topics.matches("status", "status"));
    assertFalse(Topics.matches("status", "other"));
  }

  // ---- delivering ----

  private static final byte[] NOTHING = new byte[0];

  @Test
  void liveMessagesGoToIbmApplicationTopics() {
    assertEquals(
        "iot-2/type/t/id/i/evt/e/fmt/json",
        Topics.topicOf(
            new LiveMessage.DeviceEvent(
                "o", "t", "i", "e", "json", NOTHING, Instant.EPOCH, 1, null)));
    assertEquals(
        "iot-2/type/t/id/i/cmd/c/fmt/bin",
        Topics.topicOf(new LiveMessage.DeviceCommand("o", "t", "i", "id-1", "c", "bin", NOTHING)));
    assertEquals(
        "iot-2/type/t/id/i/mon",
        Topics.topicOf(new LiveMessage.DeviceStatus("o", "t", "i", NOTHING)));
    assertEquals(
        "iot-2/app/a/mon", Topics.topicOf(new LiveMessage.ApplicationStatus("o", "a", NOTHING)));
    assertEquals("iot-2/cmd/reboot/fmt/json", Topics.commandTopic("reboot", "json"));
  }

  @Test
  void applicationFiltersSelectTheirKindOfMessageWithWildcardsInIbmPositions() {
    LiveMessage event =
        new LiveMessage.DeviceEvent("o", "t", "i", "e", "json", NOTHING, Instant.EPOCH, 1, null);
    LiveMessage command =
        new LiveMessage.DeviceCommand("o", "t", "i", "id-1", "c", "json", NOTHING);
    LiveMessage status = new LiveMessage.DeviceStatus("o", "t", "i", NOTHING);
    LiveMessage app = new LiveMessage.ApplicationStatus("o", "a", NOTHING);
    Topics.Filter allEvents = Topics.applicationSubscription("iot-2/type/+/id/+/evt/+/fmt/+");
    assertTrue(Topics.matches(allEvents, event));
    assertFalse(Topics.matches(allEvents, command));
    assertFalse(Topics.matches(allEvents, status));
    assertFalse(
        Topics.matches(Topics.applicationSubscription("iot-2/type/u/id/+/evt/+/fmt/+"), event));
    assertFalse(
        Topics.matches(Topics.applicationSubscription("iot-2/type/+/id/+/evt/+/fmt/bin"), event));
    assertTrue(
        Topics.matches(Topics.applicationSubscription("iot-2/type/t/id/i/cmd/c/fmt/+"), command));
    assertTrue(Topics.matches(Topics.applicationSubscription("iot-2/type/+/id/i/mon"), status));
    assertFalse(Topics.matches(Topics.applicationSubscription("iot-2/type/+/id/x/mon"), status));
    assertTrue(Topics.matches(Topics.applicationSubscription("iot-2/app/+/mon"), app));
    assertFalse(Topics.matches(Topics.applicationSubscription("iot-2/app/b/mon"), app));
  }

  @Test
  void deviceCommandFiltersSelectByCommandAndFormat() {
    assertTrue(Topics.matches(Topics.deviceSubscription("iot-2/cmd/+/fmt/+"), "c", "json"));
    assertTrue(Topics.matches(Topics.deviceSubscription("iot-2/cmd/c/fmt/json"), "c", "json"));
    assertFalse(Topics.matches(Topics.deviceSubscription("iot-2/cmd/c/fmt/json"), "c", "bin"));
    assertFalse(Topics.matches(Topics.deviceSubscription("iot-2/cmd/d/fmt/+"), "c", "json"));
  }
}
