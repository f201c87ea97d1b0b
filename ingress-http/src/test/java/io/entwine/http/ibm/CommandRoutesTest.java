package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.http.hono.HonoRoutesTest;
import io.entwine.twin.TwinEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Applications send commands to devices and list them; refusals queue nothing. */
class CommandRoutesTest extends ApiRouteTest {
  private ApiKey key;
  private Device device;

  CommandRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @BeforeEach
  void deviceOfAnOrganization() {
    key = organizationWithApiKey("cmd");
    device = registerDevice(key, "valve", "v-1");
  }

  @Test
  void queuesACommandWith202AndListsItAsQueued() {
    TestRouteResult sent = send("open", "{\"to\":50}", "");

    assertEquals(StatusCodes.ACCEPTED, sent.status(), sent.entityString());
    String commandId = body(sent).get("commandId").asText();
    JsonNode listed = list();
    assertEquals(1, listed.size(), listed.toString());
    assertEquals(commandId, listed.get(0).get("commandId").asText());
    assertEquals("open", listed.get(0).get("command").asText());
    assertEquals("json", listed.get(0).get("format").asText());
    assertEquals("queued", listed.get(0).get("status").asText());
    TwinEvent.CommandQueued queued = lastQueued();
    assertEquals("{\"to\":50}", new String(queued.payload(), StandardCharsets.UTF_8));
  }

  @Test
  void queuesAnXmlCommandAsFormatXml() {
    for (String type : new String[] {"application/xml", "text/xml; charset=UTF-8"}) {
      TestRouteResult sent =
          api.run(
              withApiKey(
                  key,
                  HttpRequest.POST(HonoRoutesTest.commandsPath(device) + "/set")
                      .withEntity(ContentTypes.parse(type), "<to>50</to>".getBytes())));

      assertEquals(StatusCodes.ACCEPTED, sent.status(), sent.entityString());
      assertEquals("xml", lastQueued().format(), type);
    }
  }

  @Test
  void answers504WhenTheDeviceDoesNotRespondInTime() {
    TestRouteResult sent = send("open", "{}", "?timeout=1");

    assertError(sent, StatusCodes.GATEWAY_TIMEOUT, "No response");
    assertEquals("queued", list().get(0).get("status").asText(), "the command stays queued");
  }

  @Test
  void recordsACommandWhoseTimeToLiveIsOverAsExpired() throws Exception {
    TestRouteResult sent = send("open", "{}", "?ttl=1");
    assertEquals(StatusCodes.ACCEPTED, sent.status(), sent.entityString());
    String commandId = body(sent).get("commandId").asText();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!"expired".equals(list().get(0).get("status").asText())) {
      assertTrue(System.nanoTime() < deadline, "the command expires after its ttl");
      Thread.onSpinWait();
    }
    assertTrue(
        cluster.twinEvents(device.key()).stream()
            .anyMatch(
                e -> e instanceof TwinEvent.CommandExpired x && x.commandId().equals(commandId)),
        "the expiry is persisted");
  }

  @Test
  void refusesCommandsOverTheQueueLimitWith429() {
    for (int i = 0; i < 5; i++) {
      assertEquals(StatusCodes.ACCEPTED, send("c" + i, "{}", "").status());
    }

    assertError(send("c5", "{}", ""), StatusCodes.TOO_MANY_REQUESTS, "5 commands waiting");
    assertEquals(5, queuedCount());
  }

  @Test
  void refusesBadRequestsAndQueuesNothing() {
    assertError(
        api.run(
            withApiKey(
                key,
                HttpRequest.POST(HonoRoutesTest.commandsPath(device) + "/open")
                    .withEntity(ContentTypes.TEXT_CSV_UTF8, "a,b"))),
        StatusCodes.UNSUPPORTED_MEDIA_TYPE,
        "Unsupported Content-Type");
    assertError(send("open", "{not json", ""), StatusCodes.BAD_REQUEST, "Invalid JSON");
    assertError(send("open", "{}", "?timeout=0"), StatusCodes.BAD_REQUEST, "'timeout'");
    assertError(send("open", "{}", "?timeout=soon"), StatusCodes.BAD_REQUEST, "'timeout'");
    assertError(send("open", "{}", "?ttl=-1"), StatusCodes.BAD_REQUEST, "'ttl'");
    assertError(send("bad%20command", "{}", ""), StatusCodes.BAD_REQUEST, "Invalid command");
    assertEquals(0, queuedCount());
  }

  @Test
  void answers404ForAnUnknownDeviceAnd401WithoutAValidApiKey() {
    TestRouteResult unknown =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST("/api/v0002/application/types/valve/devices/ghost/commands/x"),
                    "{}")));
    assertError(unknown, StatusCodes.NOT_FOUND, "not registered");

    TestRouteResult wrongKey =
        api.run(
            withApiKey(
                new ApiKey(key.org(), key.key(), "wrong-token"),
                withJson(HttpRequest.POST(HonoRoutesTest.commandsPath(device) + "/open"), "{}")));
    assertUnauthorized(wrongKey, "Basic", "");
    assertEquals(0, queuedCount());
  }

  private TestRouteResult send(String command, String json, String query) {
    return api.run(
        withApiKey(
            key,
            withJson(
                HttpRequest.POST(HonoRoutesTest.commandsPath(device) + "/" + command + query),
                json)));
  }

  private JsonNode list() {
    TestRouteResult listed =
        api.run(withApiKey(key, HttpRequest.GET(HonoRoutesTest.commandsPath(device))));
    assertEquals(StatusCodes.OK, listed.status(), listed.entityString());
    return body(listed);
  }

  private TwinEvent.CommandQueued lastQueued() {
    return cluster.twinEvents(device.key()).stream()
        .filter(e -> e instanceof TwinEvent.CommandQueued)
        .map(e -> (TwinEvent.CommandQueued) e)
        .reduce((a, b) -> b)
        .orElseThrow();
  }

  private long queuedCount() {
    return cluster.twinEvents(device.key()).stream()
        .filter(e -> e instanceof TwinEvent.CommandQueued)
        .count();
  }
}
