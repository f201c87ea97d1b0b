package io.entwine.integration.mqtt;

import io.entwine.claims.ClaimEntity;
import io.entwine.testing.EventSourcedTestSystem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bridge commands, events, states and replies go to the journal or the network as jackson-cbor. */
class BridgeSerializationTest {
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123Z");
  private static final BridgeConfig CONFIG =
      new BridgeConfig(
          "org1",
          "6f1c1f1e-0000-4000-8000-000000000001",
          "tcp://broker:1883",
          "user",
          "aes-gcm$iv$sealed",
          "entwine-1",
          List.of(new BridgeConfig.Topic("a/+/b", 1), new BridgeConfig.Topic("c/#", 0)),
          "return {deviceName: 'x'};",
          true);

  @RegisterExtension
  static final EventSourcedTestSystem testSystem =
      new EventSourcedTestSystem("BridgeSerializationTest");

  @Test
  void everyPersistentAndRemoteTypeRoundTrips() {
    ActorRef<BridgeReply> replyTo = testSystem.replyTo();
    BridgeStatus status =
        new BridgeStatus(
            true, AT, 2, 10, 9, 1, new BridgeStatus.LastError(AT, "Connection lost"), AT);
    List<Object> samples =
        List.of(
            new MqttBridge.Create(CONFIG, AT, replyTo),
            new MqttBridge.Get(replyTo),
            new MqttBridge.GetStatus(replyTo),
            new MqttBridge.Delete(AT, replyTo),
            new MqttBridge.BridgeCreated(CONFIG, AT),
            new MqttBridge.BridgeDeleted(AT),
            new MqttBridge.State(CONFIG, AT, false),
            MqttBridgeDirectory.TABLE.claim("id-1", 20).apply(replyTo),
            MqttBridgeDirectory.TABLE.release("id-1").apply(replyTo),
            MqttBridgeDirectory.TABLE.lookup().apply(replyTo),
            new ClaimEntity.Claimed("id-1", ""),
            new ClaimEntity.Released("id-1"),
            new ClaimEntity.State(Map.of("id-1", "", "id-2", "")),
            new BridgeReply.Done(),
            new BridgeReply.Found(CONFIG, AT),
            new BridgeReply.Status("id-1", status),
            new BridgeReply.Directory(Set.of("id-1")));
    testSystem.assertRoundTrips(samples);
  }
}
