package io.entwine.deploy.streams;

import static io.entwine.deploy.streams.SseClient.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.mqtt.Paho;
import io.entwine.deploy.streams.SseClient.Event;
import io.entwine.deploy.streams.SseClient.Headers;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server-Sent Events streams on a real node, read with the JDK's HttpClient as a browser's
 * EventSource reads them: events published over HTTP and MQTT arrive, a client that reconnects with
 * its last id gets what it missed in order and then live ones (also across a node restart), tokens
 * work as a browser uses them, other organizations are refused, a slow client overflows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApplicationStreamsIT {
  private static final Duration ARRIVAL = Duration.ofSeconds(30);
  private static final String EVENTS = "/api/v0002/streams/events";

  @RegisterExtension
  static final TestNode node =
      TestNode.perClass("entwine.streams.heartbeat = 1s\nentwine.streams.buffer = 16");

  private static final Fixtures fixtures = new Fixtures(node);

  private static Headers key(ApiKey apiKey) {
    return Headers.basic(apiKey.org(), apiKey.key(), apiKey.token());
  }

  private static void publish(Device device, String event, String json) {
    TestNode.Response sent =
        fixtures.sendEvent(
            device, event, "application/json", json.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, sent.status(), sent.body());
  }

  @Test
  @Order(1)
  void eventsPublishedOverHttpAndMqttArriveWithTheirShape() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device thermostat = fixtures.register(apiKey, "thermostat", "t-1");
    Device other = fixtures.register(apiKey, "meter", "m-1");
    try (SseClient stream = SseClient.open(node, EVENTS + "?typeId=thermostat", key(apiKey))) {
      assertEquals(200, stream.status());
      assertEquals(
          "text/event-stream",
          stream.response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
      publish(other, "reading", "{\"kwh\":1}");
      publish(thermostat, "reading", "{\"temp\":21.5}");

      Event event = stream.next(ARRIVAL);
      assertEquals("event", event.event());
      assertEquals("thermostat", event.data().get("typeId").asText(), "the filter holds");
      assertEquals("t-1", event.data().get("deviceId").asText());
      assertEquals("reading", event.data().get("eventId").asText());
      assertEquals("json", event.data().get("format").asText());
      assertEquals(21.5, event.data().get("data").get("temp").asDouble());
      assertEquals(
          "{\"temp\":21.5}",
          new String(Base64.getDecoder().decode(event.data().get("payload").asText())));
      assertTrue(event.data().has("timestamp"));
      assertFalse(event.id().isBlank());

      MqttClient mqtt = Paho.device(node.mqttUri(), thermostat);
      mqtt.publish(
          "iot-2/evt/mqtt/fmt/json", "{\"temp\":22}".getBytes(StandardCharsets.UTF_8), 1, false);
      mqtt.disconnect();
      mqtt.close();
      List<Event> next = new ArrayList<>();
      while (next.stream().noneMatch(e -> "event".equals(e.event()))) {
        next.add(stream.next(ARRIVAL));
      }
      Event status = next.get(0);
      assertEquals("status", status.event(), "the device's connect comes live: " + next);
      assertEquals("Connect", status.data().get("action").asText());
      Event mqttEvent = next.get(next.size() - 1);
      assertEquals("mqtt", mqttEvent.data().get("eventId").asText());
      // events now arrive at once (ADR 0061): wait for the heartbeat of an idle second
      TestNode.awaitValue(ARRIVAL, stream.heartbeats::get, beats -> beats > 0);
    }
  }

  @Test
  @Order(2)
  void aReconnectingClientGetsWhatItMissedInOrderThenLiveEvents() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "thermostat", "t-2");
    String lastId;
    try (SseClient stream = SseClient.open(node, EVENTS + "?kinds=event", key(apiKey))) {
      publish(device, "reading", "{\"n\":-1}");
      lastId = stream.next(ARRIVAL).id();
    }
    for (int n = 0; n < 100; n++) {
      publish(device, "reading", "{\"n\":" + n + "}");
    }
    try (SseClient resumed =
        SseClient.open(node, EVENTS + "?kinds=event", key(apiKey).with("Last-Event-ID", lastId))) {
      List<Event> missed = resumed.next(100, ARRIVAL);
      for (int n = 0; n < 100; n++) {
        assertEquals(n, missed.get(n).data().get("data").get("n").asInt(), "in order, no gap");
      }
      publish(device, "reading", "{\"n\":100}");
      Event live = resumed.next(ARRIVAL);
      assertEquals(100, live.data().get("data").get("n").asInt(), "then live, no duplicate");
      assertNotEquals(lastId, live.id());
    }
  }

  @Test
  @Order(3)
  void aBrowserUsesAStreamTokenAndOtherOrganizationsAreRefused() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    ApiKey foreign = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "thermostat", "t-3");
    TestNode.Response issued =
        node.request("POST", "/api/v0002/streams/tokens")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(201, issued.status(), issued.body());
    assertEquals(300, issued.json().get("expiresIn").asInt());
    assertTrue(issued.json().has("expiresAt"));
    String token = issued.json().get("token").asText();

    try (SseClient stream =
        SseClient.open(node, EVENTS + "?deviceId=t-3&token=" + token, request -> {})) {
      assertEquals(200, stream.status(), "no header at all: the token names the organization");
      publish(device, "reading", "{\"n\":1}");
      assertEquals("t-3", stream.next(ARRIVAL).data().get("deviceId").asText());
    }

    Headers none = request -> {};
    Headers foreignHost = request -> request.header("Host", foreign.org() + ".localhost");
    assertStatus(401, SseClient.open(node, EVENTS, none));
    assertStatus(401, SseClient.open(node, EVENTS + "?token=" + token + "x", none));
    assertStatus(401, SseClient.open(node, EVENTS + "?token=garbage", none));
    assertStatus(403, SseClient.open(node, EVENTS + "?token=" + token, foreignHost));
    assertStatus(
        403,
        SseClient.open(node, EVENTS, Headers.basic(apiKey.org(), foreign.key(), foreign.token())));
    assertStatus(
        401, SseClient.open(node, EVENTS, Headers.basic(apiKey.org(), apiKey.key(), "wrong")));
    assertEquals(
        401,
        node.request("POST", "/api/v0002/streams/tokens")
            .organization(apiKey.org())
            .send()
            .status());
    assertEquals(
        403,
        node.request("POST", "/api/v0002/streams/tokens")
            .organization(apiKey.org())
            .basic(foreign.key(), foreign.token())
            .send()
            .status());

    for (String badQuery :
        List.of(
            "?kinds=event,telemetry",
            "?typeid=thermostat",
            "?typeId=no/slash",
            "?deviceId=" + "x".repeat(33),
            "?lastEventId=nonsense",
            "?lastEventId=1.AAAA")) {
      assertStatus(400, SseClient.open(node, EVENTS + badQuery, key(apiKey)));
    }
    assertStatus(400, SseClient.open(node, EVENTS, key(apiKey).with("Last-Event-ID", "2.x")));
  }

  @Test
  @Order(4)
  void aSlowClientOverflowsOnLiveMessagesAndResumesEventsWithoutAGap() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    List<Device> cameras =
        List.of(
            fixtures.register(apiKey, "camera", "c-1"), fixtures.register(apiKey, "camera", "c-2"));
    int events = 30;
    byte[] image = new byte[100_000];
    List<Event> received = new ArrayList<>();
    String resumeFrom;
    String query = EVENTS + "?typeId=camera&kinds=event,command";
    try (SseClient slow = SseClient.openPaused(node, query, key(apiKey))) {
      for (int n = 0; n < events; n++) {
        Arrays.fill(image, (byte) n);
        TestNode.Response sent =
            fixtures.sendEvent(cameras.get(0), "image" + n, "application/octet-stream", image);
        assertEquals(200, sent.status(), sent.body());
      }
      // commands come live and cannot wait: 100 of 100 KB fill the socket and the buffer (16)
      for (int n = 0; n < 100; n++) {
        Device camera = cameras.get(n % 2);
        TestNode.Response queued =
            node.request(
                    "POST",
                    "/api/v0002/application/types/camera/devices/"
                        + camera.id()
                        + "/commands/snap"
                        + n)
                .organization(apiKey.org())
                .basic(apiKey.key(), apiKey.token())
                .body("application/octet-stream", image)
                .send();
        assertEquals(202, queued.status(), queued.body());
      }
      slow.startReading();
      Event event = slow.next(ARRIVAL);
      while (!"overflow".equals(event.event())) {
        received.add(event);
        event = slow.next(ARRIVAL);
      }
      resumeFrom = event.data().get("lastEventId").asText();
      assertEquals(event.id(), resumeFrom);
      if (!received.isEmpty()) {
        assertEquals(received.get(received.size() - 1).id(), resumeFrom, "the last id handed on");
      }
      assertTrue(
          received.stream().filter(e -> "command".equals(e.event())).count() < 100,
          "the client fell behind");
      assertTrue(slow.ended(ARRIVAL), "the stream closes after the overflow");
    }
    List<Event> imageEvents =
        new ArrayList<>(received.stream().filter(e -> "event".equals(e.event())).toList());
    try (SseClient resumed =
        SseClient.open(
            node, EVENTS + "?typeId=camera&kinds=event&lastEventId=" + resumeFrom, key(apiKey))) {
      imageEvents.addAll(resumed.next(events - imageEvents.size(), ARRIVAL));
    }
    for (int n = 0; n < events; n++) {
      assertEquals("image" + n, imageEvents.get(n).data().get("eventId").asText());
    }
  }

  @Test
  @Order(5)
  void aStreamResumesAcrossANodeRestart() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "thermostat", "t-5");
    String lastId;
    try (SseClient stream = SseClient.open(node, EVENTS, key(apiKey))) {
      publish(device, "reading", "{\"n\":0}");
      lastId = stream.next(ARRIVAL).id();
    }
    node.restart();
    for (int n = 1; n <= 5; n++) {
      publish(device, "reading", "{\"n\":" + n + "}");
    }
    try (SseClient resumed =
        SseClient.open(node, EVENTS, key(apiKey).with("Last-Event-ID", lastId))) {
      List<Event> missed = resumed.next(5, ARRIVAL);
      for (int n = 1; n <= 5; n++) {
        JsonNode data = missed.get(n - 1).data();
        assertEquals(n, data.get("data").get("n").asInt(), missed.toString());
      }
    }
  }

  /**
   * Device events reach a stream from the live feed before the journal's query brings them
   * (docs/adr/0061); a client that disconnects and resumes, again and again while events flow,
   * still gets each event once, in each device's order.
   */
  @Test
  @Order(6)
  void aClientResumingWhileEventsFlowGetsEachEventOnceInOrder() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    List<Device> devices =
        List.of(
            fixtures.register(apiKey, "thermostat", "f-1"),
            fixtures.register(apiKey, "thermostat", "f-2"));
    int perDevice = 100;
    String query = EVENTS + "?kinds=event";
    List<String> received = new ArrayList<>();
    String lastId;
    try (SseClient first = SseClient.open(node, query, key(apiKey))) {
      publish(devices.get(0), "reading", "{\"n\":-1}");
      Event start = first.next(ARRIVAL);
      lastId = start.id();
    }
    Thread publisher =
        new Thread(
            () -> {
              for (int n = 0; n < perDevice; n++) {
                for (Device device : devices) {
                  publish(device, "reading", "{\"n\":" + n + "}");
                }
              }
              devices.forEach(device -> publish(device, "end", "{}"));
            },
            "publisher");
    publisher.setDaemon(true);
    publisher.start();
    int ends = 0;
    for (int connection = 0; ends < devices.size(); connection++) {
      try (SseClient stream =
          SseClient.open(node, query, key(apiKey).with("Last-Event-ID", lastId))) {
        // each connection takes a few events and goes, until the last one stays to the end
        for (int taken = 0;
            ends < devices.size() && (connection >= 4 || taken < 15 + 10 * connection);
            taken++) {
          Event event = stream.next(ARRIVAL);
          lastId = event.id();
          if ("end".equals(event.data().get("eventId").asText())) {
            ends++;
          } else {
            received.add(
                event.data().get("deviceId").asText() + "#" + event.data().get("data").get("n"));
          }
        }
      }
    }
    publisher.join(ARRIVAL.toMillis());
    List<String> expected = new ArrayList<>();
    for (Device device : devices) {
      for (int n = 0; n < perDevice; n++) {
        expected.add(device.id() + "#" + n);
      }
    }
    for (Device device : devices) {
      assertEquals(
          expected.stream().filter(e -> e.startsWith(device.id() + "#")).toList(),
          received.stream().filter(e -> e.startsWith(device.id() + "#")).toList(),
          "each event once, in the device's order, across five connections");
    }
    assertEquals(expected.size(), received.size(), received.toString());
  }
}
