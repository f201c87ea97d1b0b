package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.credentials.Credentials;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.testing.InMemoryCluster;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request waiting for a command (Hono {@code hono-ttd}) survives its twin stopping meanwhile —
 * here by passivation, as when the twin restarts or moves to another node: the wait's renewal tells
 * the new incarnation, which then hands it the command queued after the stop.
 */
class CommandWaitRenewalTest {
  private static ActorTestKit testKit;
  private static TwinGateway gateway;

  @BeforeAll
  static void startCluster() {
    testKit =
        InMemoryCluster.startSingleNode(
            "CommandWaitRenewalTest",
            """
            pekko.cluster.sharding.passivation.default-strategy.idle-entity.timeout = 1s
            entwine.twin.command-wait-renewal = 4s
            """);
    DeviceTwin.init(testKit.system());
    gateway =
        new TwinGateway(
            testKit.system(),
            Credentials.get(testKit.system()).verifiedSecrets(),
            Duration.ofSeconds(10));
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  @Test
  void aWaitingRequestGetsTheCommandQueuedAfterItsTwinStopped() throws Exception {
    DeviceKey device = new DeviceKey("renew", "sensor", "4711");
    Reply registered =
        gateway
            .ask(
                gateway.twin(device),
                replyTo ->
                    new TwinCommand.Register(
                        "pbkdf2-sha256$1$c2FsdA==$aGFzaA==",
                        JsonNodeFactory.instance.objectNode(),
                        null,
                        "a-renew-key",
                        "app",
                        Instant.now(),
                        replyTo))
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertInstanceOf(Reply.DeviceInfo.class, registered);

    CompletableFuture<Reply> waiting =
        gateway
            .commands()
            .waitForCommand(device, null, Duration.ofSeconds(30))
            .toCompletableFuture();
    awaitTwinStopped(device);
    assertFalse(waiting.isDone(), "the request still waits");

    Reply queued =
        gateway
            .ask(
                gateway.twin(device),
                replyTo ->
                    new TwinCommand.QueueCommand(
                        "c-1",
                        "set",
                        "json",
                        "{}".getBytes(StandardCharsets.UTF_8),
                        null,
                        Instant.now(),
                        replyTo))
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertInstanceOf(Reply.CommandAccepted.class, queued);

    Reply.CommandToDeliver delivered =
        assertInstanceOf(Reply.CommandToDeliver.class, waiting.get(30, TimeUnit.SECONDS));
    assertEquals("c-1", delivered.commandId());
  }

  /** Passivated: the twin's incarnation, and the waiters it kept in memory, are gone. */
  private static void awaitTwinStopped(DeviceKey device) {
    TestProbe<CurrentShardRegionState> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        () -> {
          ClusterSharding.get(testKit.system())
              .shardState()
              .tell(new GetShardRegionState(DeviceTwin.ENTITY_KEY, probe.ref()));
          CurrentShardRegionState state = probe.receiveMessage();
          state
              .getShards()
              .forEach(
                  shard ->
                      assertFalse(
                          shard.getEntityIds().contains(device.entityId()), "twin still running"));
          return null;
        });
  }
}
