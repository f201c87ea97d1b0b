package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import io.entwine.registry.AuthIdIndex;
import io.entwine.twin.DeviceTwin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests for devices that cannot authenticate wake no entity once the node knows better: a flood
 * of random device ids over every device-facing API (IBM HTTP, MQTT CONNECT, Hono, Tencent) from
 * one address wakes at most the per-address limit of twins and is answered 401/429 from memory; an
 * id refused before it was registered authenticates at once after its registration, also when it
 * was refused on another node than the one that registered it.
 */
class UnknownDevicesIT {
  private static final int LIMIT = 5;
  private static final String CONFIG =
      "entwine.authentication-guard.max-failures-per-address = " + LIMIT;

  private TestNode node;
  private final List<TestNode> others = new ArrayList<>();
  private ApiKey apiKey;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.start(CONFIG);
    apiKey = new Fixtures(node).organizationWithApiKey();
    TestNode.Response adapter =
        node.request(
                "PUT", "/api/v0002/admin/organizations/" + apiKey.org() + "/adapters/hono-http")
            .operator()
            .json("{\"enabled\":true}")
            .send();
    assertEquals(200, adapter.status(), adapter.body());
  }

  @AfterEach
  void stop() throws Exception {
    for (TestNode other : others) {
      other.close();
    }
    node.close();
  }

  @Test
  void aFloodOfRandomIdsWakesAtMostTheLimitOfEntitiesOnEveryDeviceApi() throws Exception {
    int twinsBefore = entities(node, DeviceTwin.ENTITY_KEY);
    int indexesBefore = entities(node, AuthIdIndex.TABLE.entityKey());
    int refusedFromMemory = 0;
    long started = System.nanoTime();

    for (int i = 0; i < 40; i++) {
      TestNode.Response ibm = event(randomId(), "token-" + i);
      assertTrue(ibm.status() == 401 || ibm.status() == 429, ibm.toString());
      refusedFromMemory += ibm.status() == 429 ? 1 : 0;

      TestNode.Response hono =
          node.request("POST", "/telemetry")
              .basic(randomId() + "@" + apiKey.org(), "secret")
              .json("{\"t\":1}")
              .send();
      assertTrue(hono.status() == 401 || hono.status() == 429, hono.toString());

      TestNode.Response tencent = tencent(randomId());
      assertTrue(tencent.status() == 401 || tencent.status() == 429, tencent.toString());
    }
    for (int i = 0; i < 10; i++) {
      MqttException refused =
          assertThrows(MqttException.class, () -> mqtt(randomId(), "token").disconnect());
      int code = refused.getReasonCode();
      assertTrue(
          code == MqttException.REASON_CODE_FAILED_AUTHENTICATION
              || code == MqttException.REASON_CODE_NOT_AUTHORIZED
              || code == MqttException.REASON_CODE_BROKER_UNAVAILABLE,
          "CONNACK " + code);
    }

    int twinsWoken = entities(node, DeviceTwin.ENTITY_KEY) - twinsBefore;
    int indexesWoken = entities(node, AuthIdIndex.TABLE.entityKey()) - indexesBefore;
    // IBM HTTP, Tencent and MQTT wake twins, Hono its auth-id index: one budget for the address
    assertTrue(twinsWoken + indexesWoken <= LIMIT, twinsWoken + " twins, " + indexesWoken);
    assertTrue(refusedFromMemory >= 40 - LIMIT, refusedFromMemory + " IBM HTTP 429s from memory");
    assertTrue(
        System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60), "130 refusals are not held up");
  }

  @Test
  void anIdRefusedBeforeItsRegistrationAuthenticatesAtOnceAfterIt() throws Exception {
    String id = randomId();
    for (int i = 0; i < 3; i++) {
      assertEquals(401, event(id, "whatever").status());
    }
    // the address is now over its limit for further unknown ids
    for (int i = 0; i < LIMIT; i++) {
      event(randomId(), "whatever");
    }
    assertEquals(429, event(randomId(), "whatever").status());

    Device device = new Fixtures(node).register(apiKey, "sensor", id);

    assertEquals(200, event(id, device.token()).status(), "no stale refusal after registration");
    mqtt(id, device.token()).disconnect();
  }

  @Test
  void anIdRefusedOnOneNodeAuthenticatesThereAtOnceAfterItsRegistrationOnAnother()
      throws Exception {
    TestNode second = TestNode.startJoining(node);
    others.add(second);
    String id = randomId();
    assertEquals(401, event(second, id, "whatever").status());
    assertEquals(401, event(second, id, "whatever").status());

    Device device = new Fixtures(node).register(apiKey, "sensor", id);

    // the registration is answered once every node acknowledged that it forgot the refusal
    assertEquals(200, event(second, id, device.token()).status(), "registered through the other");
  }

  // ---- clients ----

  private TestNode.Response event(String id, String token) {
    return event(node, id, token);
  }

  private TestNode.Response event(TestNode target, String id, String token) {
    return target
        .request("POST", "/api/v0002/device/types/sensor/devices/" + id + "/events/status")
        .organization(apiKey.org())
        .basic("use-token-auth", token)
        .json("{\"d\":{\"on\":true}}")
        .send();
  }

  private TestNode.Response tencent(String deviceName) {
    String body =
        "{\"DeviceName\":\""
            + deviceName
            + "\",\"Payload\":\"1\",\"ProductId\":\"sensor\",\"Qos\":1,\"TopicName\":\"sensor/"
            + deviceName
            + "/data\"}";
    return node.request("POST", "/device/publish")
        .organization(apiKey.org())
        .header("X-TC-Algorithm", "HmacSha256")
        .header("X-TC-Timestamp", String.valueOf(System.currentTimeMillis() / 1000))
        .header("X-TC-Nonce", UUID.randomUUID().toString())
        .header("X-TC-Signature", "00".repeat(32))
        .body("application/json", body.getBytes(StandardCharsets.UTF_8))
        .send();
  }

  private MqttClient mqtt(String id, String token) throws MqttException {
    MqttClient client =
        new MqttClient(
            node.mqttUri(), "d:" + apiKey.org() + ":sensor:" + id, new MemoryPersistence());
    client.setTimeToWait(Duration.ofSeconds(20).toMillis());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName("use-token-auth");
    options.setPassword(token.toCharArray());
    try {
      client.connect(options);
      return client;
    } catch (MqttException e) {
      client.close(true);
      throw e;
    }
  }

  private static String randomId() {
    return "x" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  }

  /** Entities of {@code type} running on {@code target}, as its shard region reports them. */
  private static int entities(TestNode target, EntityTypeKey<?> type) throws Exception {
    CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
                ClusterSharding.get(target.system()).shardState(),
                replyTo -> new GetShardRegionState(type, replyTo),
                Duration.ofSeconds(10),
                target.system().scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    return state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
  }
}
