package io.entwine.integration.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.streams.StreamFilter;
import io.entwine.streams.StreamKind;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookRequestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode request() {
    return JSON.createObjectNode().put("url", "https://example.com/hooks/entwine?x=1");
  }

  private static String refusal(ObjectNode request) {
    return assertThrows(WebhookRequests.InvalidWebhook.class, () -> WebhookRequests.check(request))
        .getMessage();
  }

  @Test
  void acceptsAUrlAloneAsEveryEventAndStateOfTheOrganization() throws Exception {
    WebhookRequests.Valid valid = WebhookRequests.check(request());
    assertEquals("https://example.com/hooks/entwine?x=1", valid.url());
    assertEquals(WebhookRequests.DELIVERABLE, valid.filter());
    assertNull(valid.secret());
    assertNull(valid.headers(), "no headers given: a replacement keeps the stored ones");
  }

  @Test
  void readsTheStreamFilterWithPlusAsAnyAndKindsAsACommaList() throws Exception {
    ObjectNode request = request();
    request
        .putObject("filter")
        .put("typeId", "sensor")
        .put("deviceId", "+")
        .put("eventId", "status")
        .put("format", "json")
        .put("kinds", "event");
    request.put("secret", "s");
    request.putObject("headers").put("Authorization", "Bearer t");
    WebhookRequests.Valid valid = WebhookRequests.check(request);
    assertEquals(
        new StreamFilter("sensor", null, "status", "json", Set.of(StreamKind.EVENT)),
        valid.filter());
    assertEquals("s", valid.secret());
    assertEquals(Map.of("Authorization", "Bearer t"), valid.headers());
  }

  @Test
  void refusesUrlsThatAreNotHttp() {
    for (String url :
        List.of("ftp://example.com", "example.com/hook", "http://", "http://u:p@h/", "%%", "")) {
      String message = refusal(request().put("url", url));
      assertTrue(message.startsWith("'url'"), url + ": " + message);
    }
  }

  @Test
  void refusesKindsAWebhookCannotDeliverAndUnknownOnes() {
    ObjectNode status = request();
    status.putObject("filter").put("kinds", "event,status");
    assertTrue(refusal(status).contains("cannot deliver 'status'"), refusal(status));
    ObjectNode bogus = request();
    bogus.putObject("filter").putArray("kinds").add("bogus");
    assertTrue(refusal(bogus).contains("unknown kind 'bogus'"), refusal(bogus));
  }

  @Test
  void refusesInvalidIdsUnknownFieldsAndHeadersEntwineSets() {
    ObjectNode type = request();
    type.putObject("filter").put("typeId", "a b");
    assertTrue(refusal(type).contains("'typeId'"), refusal(type));
    assertTrue(refusal(request().put("colour", "red")).contains("Unknown field 'colour'"));
    ObjectNode host = request();
    host.putObject("headers").put("Host", "evil");
    assertTrue(refusal(host).contains("'Host'"), refusal(host));
    ObjectNode ours = request();
    ours.putObject("headers").put("X-Entwine-Signature", "forged");
    assertTrue(refusal(ours).contains("Entwine sets it"), refusal(ours));
    ObjectNode split = request();
    split.putObject("headers").put("X-A", "one\r\nX-B: two");
    assertTrue(refusal(split).contains("one line"), refusal(split));
    assertTrue(refusal(request().put("secret", "")).contains("'secret'"));
  }
}
