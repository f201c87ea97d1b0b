package io.entwine.deploy.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.Journal;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks against a real node and a real receiver (the JDK's HTTP server): deliveries survive
 * failing answers, a receiver that is down, a node restart, and are signed; a webhook that keeps
 * failing pauses and resumes on PUT; refused batches are skipped; bad input changes nothing.
 */
class WebhookIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "hook-s3cret-never-stored-in-clear";

  /** Short backoff and pause so that the scenarios take seconds, not the production minutes. */
  @RegisterExtension
  static final TestNode node =
      TestNode.perClass(
          """
          entwine.integration.webhooks.retry.min-backoff = 100ms
          entwine.integration.webhooks.retry.max-backoff = 1s
          entwine.integration.webhooks.batch-within = 200ms
          entwine.integration.webhooks.batch-size = 7
          entwine.integration.webhooks.pause-after = 8s
          entwine.integration.webhooks.rejected-attempts = 2
          entwine.integration.webhooks.max-per-organization = 3
          """);

  private static final Fixtures fixtures = new Fixtures(node);

  @Test
  void deliversEveryEventInOrderPerDeviceSignedAfterThreeFailedAnswers() throws Exception {
    try (Receiver receiver = new Receiver()) {
      receiver.answer(n -> n <= 3 ? 500 : 200);
      ApiKey apiKey = fixtures.organizationWithApiKey();
      Device a = fixtures.register(apiKey, "sensor", "a");
      Device b = fixtures.register(apiKey, "sensor", "b");
      Device other = fixtures.register(apiKey, "valve", "c");
      ObjectNode request = webhook(receiver, "sensor");
      request.put("secret", SECRET);
      request.putObject("headers").put("Authorization", "Bearer receiver-token");
      TestNode.Response created = api(apiKey, "POST", "/api/v0002/webhooks", request.toString());
      assertEquals(201, created.status(), created.body());
      assertTrue(created.json().get("secretSet").asBoolean(), created.body());
      assertFalse(created.body().contains(SECRET), created.body());
      assertFalse(created.body().contains("receiver-token"), created.body());
      String id = created.json().get("id").asText();

      for (int seq = 1; seq <= 20; seq++) {
        send(a, seq);
        send(b, seq);
        if (seq % 5 == 0) {
          send(other, seq);
        }
      }
      awaitMessages(receiver, 40);

      Map<String, JsonNode> messages = receiver.messagesById();
      assertEquals(40, messages.size(), "only the sensor type's events: " + messages.keySet());
      assertEquals(seqs(20), seqsOf(messages, "a"));
      assertEquals(seqs(20), seqsOf(messages, "b"));
      for (Receiver.Delivery delivery : receiver.delivered()) {
        assertEquals(hmac(delivery.body()), delivery.headers().get("x-entwine-signature"));
        assertNotNull(delivery.headers().get("x-entwine-delivery"));
        assertEquals(id, delivery.headers().get("x-entwine-webhook"));
        assertEquals("Bearer receiver-token", delivery.headers().get("authorization"));
        assertTrue(delivery.messages().size() <= 7, "batches of at most batch-size");
      }
      JsonNode first = messages.values().iterator().next();
      assertEquals("event", first.get("kind").asText());
      assertEquals("status", first.get("eventId").asText());
      assertEquals("json", first.get("format").asText());
      assertEquals(first.at("/data/d/seq").asInt(), payloadSeq(first), first.toString());

      JsonNode status = awaitStatus(apiKey, id, s -> s.get("delivered").asLong() >= 40);
      assertTrue(status.at("/lastError/message").asText().contains("500"), status.toString());
      assertNotNull(status.get("lastSuccess").textValue(), status.toString());
      assertEquals(0, status.get("failed").asLong(), status.toString());
      try (CqlSession session = SharedCassandra.openSession()) {
        String journal =
            Journal.serializedEvents(
                session, node.keyspace(), "Webhook|" + apiKey.org() + "/" + id);
        assertTrue(journal.contains(receiver.url()), "the webhook's events were read");
        assertFalse(journal.contains(SECRET), "the secret is stored encrypted");
        assertFalse(journal.contains("receiver-token"), "header values are stored encrypted");
      }
      assertEquals(204, api(apiKey, "DELETE", "/api/v0002/webhooks/" + id, null).status());
    }
  }

  @Test
  void losesNothingWhileTheReceiverIsDown() throws Exception {
    try (Receiver receiver = new Receiver()) {
      ApiKey apiKey = fixtures.organizationWithApiKey();
      Device device = fixtures.register(apiKey, "sensor", "down-1");
      String id = create(apiKey, webhook(receiver, null));
      IntStream.rangeClosed(1, 5).forEach(seq -> send(device, seq));
      awaitMessages(receiver, 5);

      receiver.stop();
      IntStream.rangeClosed(6, 15).forEach(seq -> send(device, seq));
      awaitStatus(apiKey, id, s -> s.get("retrying").asBoolean());
      receiver.start();
      awaitMessages(receiver, 15);
      assertEquals(seqs(15), seqsOf(receiver.messagesById(), "down-1"));
      JsonNode status = awaitStatus(apiKey, id, s -> !s.get("retrying").asBoolean());
      assertFalse(status.get("paused").asBoolean(), status.toString());
      assertTrue(
          status.at("/lastError/message").asText().contains("request failed"), status.toString());
      assertEquals(204, api(apiKey, "DELETE", "/api/v0002/webhooks/" + id, null).status());
    }
  }

  @Test
  void pausesAWebhookThatKeepsFailingAndResumesItOnPut() throws Exception {
    try (Receiver receiver = new Receiver()) {
      receiver.answer(n -> 503);
      ApiKey apiKey = fixtures.organizationWithApiKey();
      Device device = fixtures.register(apiKey, "sensor", "p-1");
      ObjectNode request = webhook(receiver, null);
      String id = create(apiKey, request);
      IntStream.rangeClosed(1, 3).forEach(seq -> send(device, seq));

      JsonNode paused = awaitStatus(apiKey, id, s -> s.get("paused").asBoolean());
      assertTrue(paused.get("pausedReason").asText().contains("503"), paused.toString());
      assertTrue(
          api(apiKey, "GET", "/api/v0002/webhooks/" + id, null).json().get("paused").asBoolean());
      int requestsWhenPaused = receiver.requests();
      assertTrue(receiver.delivered().isEmpty());

      receiver.answer(n -> 200);
      TestNode.Response resumed =
          api(apiKey, "PUT", "/api/v0002/webhooks/" + id, request.toString());
      assertEquals(200, resumed.status(), resumed.body());
      assertFalse(resumed.json().get("paused").asBoolean(), resumed.body());
      awaitMessages(receiver, 3);
      assertTrue(receiver.requests() > requestsWhenPaused);
      assertEquals(seqs(3), seqsOf(receiver.messagesById(), "p-1"));
      assertEquals(204, api(apiKey, "DELETE", "/api/v0002/webhooks/" + id, null).status());
    }
  }

  @Test
  void skipsABatchTheReceiverRefusesAfterBoundedTries() throws Exception {
    try (Receiver receiver = new Receiver()) {
      receiver.answer(n -> 400);
      ApiKey apiKey = fixtures.organizationWithApiKey();
      Device device = fixtures.register(apiKey, "sensor", "r-1");
      String id = create(apiKey, webhook(receiver, null));
      send(device, 1);
      JsonNode skipped = awaitStatus(apiKey, id, s -> s.get("failed").asLong() >= 1);
      assertTrue(skipped.at("/lastError/message").asText().contains("400"), skipped.toString());
      assertEquals(2, receiver.requests(), "tried rejected-attempts times, then skipped");

      receiver.answer(n -> 200);
      send(device, 2);
      awaitMessages(receiver, 1);
      assertEquals(List.of(2), seqsOf(receiver.messagesById(), "r-1"));
      assertEquals(204, api(apiKey, "DELETE", "/api/v0002/webhooks/" + id, null).status());
    }
  }

  @Test
  void losesNothingWhenTheNodeRestartsMidDelivery() throws Exception {
    try (Receiver receiver = new Receiver()) {
      ApiKey apiKey = fixtures.organizationWithApiKey();
      Device device = fixtures.register(apiKey, "sensor", "restart-1");
      String id = create(apiKey, webhook(receiver, null));
      IntStream.rangeClosed(1, 5).forEach(seq -> send(device, seq));
      awaitMessages(receiver, 5);

      // acknowledged while the receiver fails: only the journal holds them when the node stops
      receiver.answer(n -> 500);
      IntStream.rangeClosed(6, 10).forEach(seq -> send(device, seq));
      awaitStatus(apiKey, id, s -> s.get("retrying").asBoolean());
      node.restart();
      receiver.answer(n -> 200);
      // nothing addresses the webhook: it must start again by itself (remembered entity)
      IntStream.rangeClosed(11, 15).forEach(seq -> send(device, seq));
      awaitMessages(receiver, 15);
      assertEquals(seqs(15), seqsOf(receiver.messagesById(), "restart-1"));
      assertEquals(204, api(apiKey, "DELETE", "/api/v0002/webhooks/" + id, null).status());
    }
  }

  @Test
  void refusesBadInputAndOtherOrganizationsAndChangesNothing() throws Exception {
    try (Receiver receiver = new Receiver()) {
      ApiKey apiKey = fixtures.organizationWithApiKey();
      ApiKey stranger = fixtures.organizationWithApiKey();
      for (String body :
          List.of(
              "{}",
              "{\"url\":\"ftp://example.com/hook\"}",
              "{\"url\":\"not a url\"}",
              "{\"url\":\"http://u:p@example.com/\"}",
              "{\"url\":\"http://example.com/\",\"colour\":\"red\"}",
              "{\"url\":\"http://example.com/\",\"filter\":{\"kinds\":\"event,bogus\"}}",
              "{\"url\":\"http://example.com/\",\"filter\":{\"typeId\":\"no spaces\"}}",
              "{\"url\":\"http://example.com/\",\"headers\":{\"Host\":\"x\"}}",
              "[1]")) {
        TestNode.Response refused = api(apiKey, "POST", "/api/v0002/webhooks", body);
        assertEquals(400, refused.status(), body + " → " + refused.body());
      }
      assertEquals(
          401,
          node.request("GET", "/api/v0002/webhooks")
              .organization(apiKey.org())
              .basic(apiKey.key(), "wrong")
              .send()
              .status());
      assertEquals(0, api(apiKey, "GET", "/api/v0002/webhooks", null).json().get("results").size());

      String id = create(apiKey, webhook(receiver, null));
      String path = "/api/v0002/webhooks/" + id;
      assertEquals(404, api(stranger, "GET", path, null).status());
      assertEquals(404, api(stranger, "GET", path + "/status", null).status());
      assertEquals(404, api(stranger, "DELETE", path, null).status());
      assertEquals(404, api(stranger, "PUT", path, webhook(receiver, null).toString()).status());
      assertEquals(
          0, api(stranger, "GET", "/api/v0002/webhooks", null).json().get("results").size());
      assertEquals(
          404,
          api(apiKey, "GET", "/api/v0002/webhooks/00000000-0000-4000-8000-000000000000", null)
              .status());
      assertEquals(404, api(apiKey, "GET", "/api/v0002/webhooks/not-an-id", null).status());
      assertEquals(400, api(apiKey, "PUT", path, "{\"url\":\"gopher://example.com\"}").status());
      assertEquals(receiver.url(), api(apiKey, "GET", path, null).json().get("url").asText());

      create(apiKey, webhook(receiver, null));
      create(apiKey, webhook(receiver, null));
      TestNode.Response tooMany =
          api(apiKey, "POST", "/api/v0002/webhooks", webhook(receiver, null).toString());
      assertEquals(429, tooMany.status(), tooMany.body());
      JsonNode list = api(apiKey, "GET", "/api/v0002/webhooks", null).json();
      assertEquals(3, list.get("results").size(), list.toString());
      for (JsonNode hook : list.get("results")) {
        assertEquals(
            204,
            api(apiKey, "DELETE", "/api/v0002/webhooks/" + hook.get("id").asText(), null).status());
      }
      assertEquals(404, api(apiKey, "GET", path, null).status());
    }
  }

  // ---- helpers ----

  private static ObjectNode webhook(Receiver receiver, String typeId) {
    ObjectNode request = JSON.createObjectNode();
    request.put("url", receiver.url());
    if (typeId != null) {
      request.putObject("filter").put("typeId", typeId).put("kinds", "event");
    }
    return request;
  }

  private static String create(ApiKey apiKey, ObjectNode request) {
    TestNode.Response created = api(apiKey, "POST", "/api/v0002/webhooks", request.toString());
    assertEquals(201, created.status(), created.body());
    return created.json().get("id").asText();
  }

  private static void send(Device device, int seq) {
    TestNode.Response sent =
        fixtures.sendEvent(
            device,
            "status",
            "application/json",
            ("{\"d\":{\"seq\":" + seq + "}}").getBytes(StandardCharsets.UTF_8));
    assertEquals(200, sent.status(), sent.body());
  }

  private static void awaitMessages(Receiver receiver, int count) {
    TestNode.awaitValue(WAIT, () -> receiver.messagesById().size(), size -> size >= count);
  }

  private static JsonNode awaitStatus(ApiKey apiKey, String id, Predicate<JsonNode> done) {
    return TestNode.awaitValue(
        WAIT, () -> api(apiKey, "GET", "/api/v0002/webhooks/" + id + "/status", null).json(), done);
  }

  private static TestNode.Response api(ApiKey apiKey, String method, String path, String body) {
    TestNode.RequestBuilder request =
        node.request(method, path).organization(apiKey.org()).basic(apiKey.key(), apiKey.token());
    return body == null ? request.send() : request.json(body).send();
  }

  private static List<Integer> seqs(int last) {
    return IntStream.rangeClosed(1, last).boxed().toList();
  }

  /** The seq of each of the device's messages, in the order they first arrived. */
  private static List<Integer> seqsOf(Map<String, JsonNode> messages, String deviceId) {
    List<Integer> seqs = new ArrayList<>();
    messages.values().stream()
        .filter(message -> message.get("deviceId").asText().equals(deviceId))
        .forEach(message -> seqs.add(message.at("/data/d/seq").asInt()));
    return seqs;
  }

  private static int payloadSeq(JsonNode message) throws Exception {
    byte[] payload = java.util.Base64.getDecoder().decode(message.get("payload").asText());
    return JSON.readTree(payload).at("/d/seq").asInt();
  }

  private static String hmac(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }
}
