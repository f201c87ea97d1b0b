package io.entwine.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.entwine.claims.ClaimEntity;
import io.entwine.integration.mqtt.BridgeReply;
import io.entwine.integration.mqtt.MqttBridgeDirectory;
import io.entwine.protocol.Rejection;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the integration and MQTT bridge directories answer, and that their old journals replay. */
class DirectoriesTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit =
        ActorTestKit.create(
            "DirectoriesTest",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void integrationDirectoryListsTheIdsWithTheirRoutingKeys() {
    var directory = directory(IntegrationDirectory.TABLE.create("org1"));

    directory.<IntegrationReply>runCommand(IntegrationDirectory.TABLE.claim("id-2", "rk-2")::apply);
    directory.<IntegrationReply>runCommand(IntegrationDirectory.TABLE.claim("id-1", "rk-1")::apply);
    var removed =
        directory.<IntegrationReply>runCommand(IntegrationDirectory.TABLE.release("id-2")::apply);

    assertEquals(new IntegrationReply.Done(), removed.reply());
    assertEquals(
        new IntegrationReply.Directory(Map.of("id-1", "rk-1")),
        directory.<IntegrationReply>runCommand(IntegrationDirectory.TABLE.lookup()::apply).reply());
  }

  @Test
  void bridgeDirectoryRefusesABridgeBeyondTheLimitAndListsTheIdsInOrder() {
    var directory = directory(MqttBridgeDirectory.TABLE.create("org1"));
    for (String id : List.of("id-2", "id-1")) {
      directory.<BridgeReply>runCommand(MqttBridgeDirectory.TABLE.claim(id, 2)::apply);
    }

    var refused =
        directory.<BridgeReply>runCommand(MqttBridgeDirectory.TABLE.claim("id-3", 2)::apply);

    assertTrue(refused.hasNoEvents());
    assertEquals(
        new BridgeReply.Rejected(
            Rejection.LIMIT_EXCEEDED,
            "The organization has 2 MQTT bridges, the most allowed; delete one first"),
        refused.reply());
    assertEquals(
        new BridgeReply.Directory(Set.of("id-1", "id-2")),
        directory.<BridgeReply>runCommand(MqttBridgeDirectory.TABLE.lookup()::apply).reply());
  }

  /**
   * Journals written before the directories shared {@link ClaimEntity} still replay: the bytes are
   * what the old {@code IntegrationDirectory} and {@code MqttBridgeDirectory} events serialized to
   * (jackson-cbor, serializer 33), under the manifests they were stored with.
   */
  @Test
  void eventsOfTheOldDirectoriesReadAsClaims() {
    String added = "v2JpZHQzZjFjMmE5ZS1pbnRlZ3JhdGlvbmpyb3V0aW5nS2V5Z3JrLVp0OHH/";
    String removed = "v2JpZHQzZjFjMmE5ZS1pbnRlZ3JhdGlvbv8=";
    String bridge = "v2JpZGs3YjJkLWJyaWRnZf8=";

    assertEquals(
        new ClaimEntity.Claimed("3f1c2a9e-integration", "rk-Zt8q"),
        read("io.entwine.integration.IntegrationDirectory$Added", added));
    assertEquals(
        new ClaimEntity.Released("3f1c2a9e-integration"),
        read("io.entwine.integration.IntegrationDirectory$Removed", removed));
    assertEquals(
        new ClaimEntity.Claimed("7b2d-bridge", ""),
        read("io.entwine.integration.mqtt.MqttBridgeDirectory$BridgeAdded", bridge));
    assertEquals(
        new ClaimEntity.Released("7b2d-bridge"),
        read("io.entwine.integration.mqtt.MqttBridgeDirectory$BridgeRemoved", bridge));
  }

  private static EventSourcedBehaviorTestKit<
          ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State>
      directory(Behavior<ClaimEntity.Command> behavior) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), behavior);
  }

  private static Object read(String manifest, String base64) {
    return SerializationExtension.get(testKit.system().classicSystem())
        .deserialize(Base64.getDecoder().decode(base64), 33, manifest)
        .get();
  }
}
