package io.entwine.mqtt.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** {@code iotdevice-1/device/update/location}: checked, handed to the twin, answered by rc. */
class ManagedDeviceAgentLocationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "iotdevice-1/device/update/location";

  private final List<ObjectNode> updates = new ArrayList<>();
  private final List<ToDevice> answers = new ArrayList<>();
  private Reply twinReply =
      new Reply.DeviceInfo("o", "t", "d", null, true, null, null, null, 0, null, null);

  private final ManagedDeviceAgent agent =
      new ManagedDeviceAgent(
          new NoEntity(),
          location -> {
            updates.add(location);
            return CompletableFuture.completedFuture(twinReply);
          },
          answers::add);

  @Test
  void aValidLocationIsSetAndAnswered200() throws Exception {
    publish("{\"d\":{\"longitude\":8.5,\"latitude\":47.4,\"accuracy\":3},\"reqId\":\"a\"}");

    assertEquals(1, updates.size());
    assertEquals(3, updates.get(0).path("accuracy").asInt());
    assertTrue(updates.get(0).has("updatedDateTime"));
    assertEquals(200, lastAnswer().path("rc").asInt());
    assertEquals("a", lastAnswer().path("reqId").asText());
  }

  @Test
  void anInvalidLocationIsAnswered400AndChangesNothing() throws Exception {
    publish("{\"d\":{\"latitude\":47.4},\"reqId\":\"b\"}");
    publish("{\"d\":{\"longitude\":8,\"latitude\":47,\"colour\":\"red\"},\"reqId\":\"c\"}");

    assertTrue(updates.isEmpty());
    assertEquals(400, lastAnswer().path("rc").asInt());
    assertTrue(lastAnswer().path("message").asText().contains("colour"));
  }

  @Test
  void aDeletedDeviceIsAnswered404() throws Exception {
    twinReply = new Reply.Rejected(Rejection.NOT_FOUND, "gone");
    publish("{\"d\":{\"longitude\":8,\"latitude\":47},\"reqId\":\"d\"}");

    assertEquals(404, lastAnswer().path("rc").asInt());
    assertFalse(updates.isEmpty());
  }

  private void publish(String body) throws Exception {
    agent.handle(TOPIC, body.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get();
  }

  private JsonNode lastAnswer() throws Exception {
    return JSON.readTree(answers.get(answers.size() - 1).payload());
  }

  /** Location updates go to the twin, never to the device's management entity. */
  private static final class NoEntity implements ManagementAccess.Session {
    @Override
    public ActorRef<ToDevice> address() {
      throw new AssertionError("not used");
    }

    @Override
    public CompletionStage<Reply> ask(
        Function<ActorRef<Reply>, ManagedDeviceProtocol.Command> command) {
      throw new AssertionError("a location update asked the management entity");
    }

    @Override
    public void close() {}
  }
}
