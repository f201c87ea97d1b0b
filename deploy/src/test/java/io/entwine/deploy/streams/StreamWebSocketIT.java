package io.entwine.deploy.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WebSocket of the application streams on a real node with the JDK's {@code
 * java.net.http.WebSocket}, authenticated by a stream token as a browser would be: subscriptions
 * with filters, commands and their outcome, pings, and precise errors that leave the socket open.
 */
class StreamWebSocketIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ARRIVAL = Duration.ofSeconds(30);

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);

  /** Text messages the socket received, whole and parsed. */
  private static final class Inbox implements WebSocket.Listener {
    final LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(partial.toString()));
        } catch (java.io.IOException e) {
          throw new AssertionError("Not JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }

    JsonNode next() throws InterruptedException {
      JsonNode message = messages.poll(ARRIVAL.toMillis(), TimeUnit.MILLISECONDS);
      if (message == null) {
        throw new AssertionError("No WebSocket message within " + ARRIVAL);
      }
      return message;
    }
  }

  private static String token(ApiKey apiKey) {
    TestNode.Response issued =
        node.request("POST", "/api/v0002/streams/tokens")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(201, issued.status(), issued.body());
    return issued.json().get("token").asText();
  }

  private static WebSocket connect(String query, Inbox inbox) throws Exception {
    return HttpClient.newHttpClient()
        .newWebSocketBuilder()
        .buildAsync(
            URI.create(node.baseUrl().replace("http:", "ws:") + "/api/v0002/streams/ws" + query),
            inbox)
        .get(30, TimeUnit.SECONDS);
  }

  private static void send(WebSocket socket, String json) throws Exception {
    socket.sendText(json, true).get(10, TimeUnit.SECONDS);
  }

  @Test
  void subscribesSendsCommandsAndAnswersPings() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "thermostat", "t-ws");
    Inbox inbox = new Inbox();
    WebSocket socket = connect("?token=" + token(apiKey), inbox);

    send(socket, "{\"type\":\"ping\",\"id\":\"p1\"}");
    JsonNode pong = inbox.next();
    assertEquals("pong", pong.get("type").asText());
    assertEquals("p1", pong.get("id").asText());

    send(
        socket,
        "{\"type\":\"subscribe\",\"id\":\"s1\",\"typeId\":\"thermostat\",\"kinds\":[\"event\",\"command\"]}");
    assertEquals("subscribed", inbox.next().get("type").asText());
    TestNode.Response sent =
        fixtures.sendEvent(
            device,
            "reading",
            "application/json",
            "{\"temp\":20}".getBytes(StandardCharsets.UTF_8));
    assertEquals(200, sent.status(), sent.body());
    JsonNode event = inbox.next();
    assertEquals("message", event.get("type").asText(), event.toString());
    assertEquals("s1", event.get("subscription").asText());
    assertEquals("event", event.get("event").asText());
    assertEquals(20, event.get("data").get("data").get("temp").asInt());

    send(
        socket,
        "{\"type\":\"command\",\"id\":\"c1\",\"typeId\":\"thermostat\",\"deviceId\":\"t-ws\","
            + "\"commandName\":\"setInterval\",\"data\":{\"interval\":15},\"timeout\":2}");
    JsonNode queued = inbox.next();
    JsonNode second = inbox.next();
    JsonNode accepted = "command".equals(queued.get("type").asText()) ? queued : second;
    JsonNode onStream = accepted == queued ? second : queued;
    assertEquals("queued", accepted.get("status").asText(), accepted.toString());
    assertEquals("c1", accepted.get("id").asText());
    assertEquals("command", onStream.get("event").asText(), "the subscription sees it queued");
    assertEquals("setInterval", onStream.get("data").get("commandName").asText());
    assertEquals(accepted.get("commandId"), onStream.get("data").get("commandId"));
    JsonNode outcome = inbox.next();
    assertEquals("timedOut", outcome.get("status").asText(), "no device answered within 2 s");

    send(socket, "{\"type\":\"unsubscribe\",\"id\":\"s1\"}");
    assertEquals("unsubscribed", inbox.next().get("type").asText());
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }

  @Test
  void badMessagesGetPreciseErrorsAndTheSocketStaysOpen() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Inbox inbox = new Inbox();
    WebSocket socket = connect("?token=" + token(apiKey), inbox);
    String[][] cases = {
      {"not json", "400"},
      {"{\"type\":\"dance\"}", "400"},
      {"{\"type\":\"subscribe\",\"id\":\"s\",\"kinds\":\"alarm\"}", "400"},
      {"{\"type\":\"subscribe\",\"id\":\"s\",\"lastEventId\":\"1.xyz\"}", "400"},
      {"{\"type\":\"unsubscribe\",\"id\":\"nope\"}", "404"},
      {
        "{\"type\":\"command\",\"id\":\"c\",\"typeId\":\"t\",\"deviceId\":\"unknown\","
            + "\"commandName\":\"x\",\"data\":{}}",
        "404"
      },
      {"{\"type\":\"command\",\"id\":\"c\",\"typeId\":\"t\",\"deviceId\":\"d\"}", "400"},
    };
    for (String[] bad : cases) {
      send(socket, bad[0]);
      JsonNode error = inbox.next();
      assertEquals("error", error.get("type").asText(), bad[0]);
      assertEquals(Integer.parseInt(bad[1]), error.get("status").asInt(), bad[0] + " " + error);
    }
    send(socket, "{\"type\":\"ping\"}");
    assertEquals("pong", inbox.next().get("type").asText());
    socket.abort();
  }

  @Test
  void refusesAHandshakeWithoutValidCredentials() {
    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> connect("?token=forged.token", new Inbox()));
    WebSocketHandshakeException handshake =
        assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
    assertEquals(401, handshake.getResponse().statusCode());
    ExecutionException anonymous =
        assertThrows(ExecutionException.class, () -> connect("", new Inbox()));
    assertEquals(
        401, ((WebSocketHandshakeException) anonymous.getCause()).getResponse().statusCode());
  }
}
