package io.entwine.integration.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.streams.StreamFilter;
import io.entwine.streams.StreamKind;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
  private static final String TWIN = "DeviceTwin|org1/sensor/a";

  private static WebhookConfig config(StreamFilter filter) {
    return new WebhookConfig("org1", "id", "http://h/", filter, null, Map.of());
  }

  private static EventRecorded reading(String eventId, String format, String payload) {
    return new EventRecorded(
        eventId, format, payload.getBytes(StandardCharsets.UTF_8), AT, AT.plusMillis(5));
  }

  @Test
  void anEventIsTheLastEventCacheShapeWithItsDecodedJsonAndAStableId() {
    List<ObjectNode> messages =
        WebhookMessages.of(
            config(WebhookRequests.DELIVERABLE),
            TWIN,
            7,
            reading("status", "json", "{\"d\":{\"t\":1}}"));
    assertEquals(1, messages.size());
    ObjectNode message = messages.get(0);
    assertEquals("event", message.get("kind").asText());
    assertEquals("sensor/a/7.0", message.get("id").asText());
    assertEquals("sensor", message.get("typeId").asText());
    assertEquals("a", message.get("deviceId").asText());
    assertEquals("status", message.get("eventId").asText());
    assertEquals(AT.toString(), message.get("timestamp").asText());
    assertEquals(
        "{\"d\":{\"t\":1}}",
        new String(
            Base64.getDecoder().decode(message.get("payload").asText()), StandardCharsets.UTF_8));
    assertEquals(1, message.at("/data/d/t").asInt());
  }

  @Test
  void keepsOnlyTheReadingsTheFilterTakesAndNumbersThemByIndex() {
    TwinEvent batch =
        new TwinEvent.EventsRecorded(
            List.of(
                reading("status", "json", "{}"),
                reading("alarm", "json", "{}"),
                reading("status", "text", "hi")));
    List<ObjectNode> status =
        WebhookMessages.of(
            config(new StreamFilter(null, null, "status", null, StreamKind.ALL)), TWIN, 3, batch);
    assertEquals(List.of("sensor/a/3.0", "sensor/a/3.2"), ids(status));
    assertFalse(status.get(1).has("data"), "a text payload is only in payload");
    List<ObjectNode> json =
        WebhookMessages.of(
            config(new StreamFilter(null, null, null, "json", StreamKind.ALL)), TWIN, 3, batch);
    assertEquals(List.of("sensor/a/3.0", "sensor/a/3.1"), ids(json));
  }

  @Test
  void takesNothingOfAnotherOrganizationTypeOrDeviceOrKind() {
    EventRecorded event = reading("status", "json", "{}");
    assertTrue(
        WebhookMessages.of(
                config(WebhookRequests.DELIVERABLE), "DeviceTwin|org2/sensor/a", 1, event)
            .isEmpty());
    assertTrue(
        WebhookMessages.of(
                config(new StreamFilter("valve", null, null, null, StreamKind.ALL)), TWIN, 1, event)
            .isEmpty());
    assertTrue(
        WebhookMessages.of(
                config(new StreamFilter(null, "b", null, null, StreamKind.ALL)), TWIN, 1, event)
            .isEmpty());
    assertTrue(
        WebhookMessages.of(
                config(new StreamFilter(null, null, null, null, Set.of(StreamKind.STATE))),
                TWIN,
                1,
                event)
            .isEmpty());
    assertTrue(
        WebhookMessages.of(
                config(WebhookRequests.DELIVERABLE), TWIN, 1, new TwinEvent.DeviceDeleted(AT))
            .isEmpty());
  }

  @Test
  void aReportedPatchIsAStateMessageUnlessItCameFromAnEvent() throws Exception {
    ObjectNode patch = (ObjectNode) JSON.readTree("{\"temp\":21}");
    List<ObjectNode> state =
        WebhookMessages.of(
            config(WebhookRequests.DELIVERABLE),
            TWIN,
            9,
            new TwinEvent.ReportedStatePatched(patch, 4, AT, false));
    assertEquals(1, state.size());
    assertEquals("state", state.get(0).get("kind").asText());
    assertEquals("reported", state.get(0).get("change").asText(), "the stream's state shape");
    assertEquals(4, state.get(0).get("version").asLong());
    assertEquals(21, state.get(0).at("/reported/temp").asInt());
    assertTrue(
        WebhookMessages.of(
                config(WebhookRequests.DELIVERABLE),
                TWIN,
                9,
                new TwinEvent.ReportedStatePatched(patch, 4, AT, true))
            .isEmpty());
  }

  private static List<String> ids(List<ObjectNode> messages) {
    return messages.stream().map(message -> message.get("id").asText()).toList();
  }
}
