package io.entwine.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.entwine.credentials.Credentials;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.script.Converters;
import io.entwine.registry.DeviceIdIndex;
import io.entwine.registry.Organization;
import io.entwine.testing.InMemoryCluster;
import io.entwine.twin.DeviceTwin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Integrations managed through one node serve senders on the other at once: the routing key is the
 * entity, so there is no per-node copy to go stale. Every message crosses the network serialized.
 */
class HttpIntegrationsTwoNodeTest {
  private static final String ORG = "twonode";
  private static final String DECODER =
      "var d = decodeToJson(payload); return {deviceName: d.n, telemetry: {t: d.t}};";

  private static ActorTestKit node1;
  private static ActorTestKit node2;
  private static HttpIntegrations onNode1;
  private static HttpIntegrations onNode2;

  @BeforeAll
  static void startCluster() {
    List<ActorTestKit> nodes =
        InMemoryCluster.startNodes(
            2,
            "HttpIntegrationsTwoNodeTest",
            "entwine.credentials.secret-key = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"");
    node1 = nodes.get(0);
    node2 = nodes.get(1);
    onNode1 = integrations(node1);
    onNode2 = integrations(node2);
  }

  private static HttpIntegrations integrations(ActorTestKit node) {
    Organization.init(node.system());
    DeviceTwin.init(node.system());
    DeviceIdIndex.TABLE.init(node.system());
    Integration.init(node.system());
    IntegrationDirectory.TABLE.init(node.system());
    Credentials credentials = Credentials.get(node.system());
    TwinGateway gateway =
        new TwinGateway(node.system(), credentials.verifiedSecrets(), Duration.ofSeconds(10));
    return new HttpIntegrations(
        node.system(),
        gateway,
        Converters.get(node.system()),
        credentials.secretBox(),
        new OrganizationPolicies(node.system(), gateway, Duration.ZERO));
  }

  @AfterAll
  static void stopCluster() {
    node2.shutdownTestKit();
    node1.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static IntegrationSpec spec(Map<String, String> headers) {
    return new IntegrationSpec(
        "two nodes", IntegrationSpec.HTTP, DECODER, null, true, headers, false, false);
  }

  private static byte[] uplink(String device) {
    return ("{\"n\":\"" + device + "\",\"t\":21}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void integrationsCreatedOnOneNodeServeAndChangeOnTheOtherAtOnce() throws Exception {
    for (int i = 0; i < 4; i++) {
      IntegrationReply.Found created =
          assertInstanceOf(
              IntegrationReply.Found.class,
              await(onNode1.create(ORG, spec(Map.of("x-key", "secret-" + i)))));
      String routingKey = created.routingKey();

      assertInstanceOf(
          UplinkResult.Recorded.class,
          await(onNode2.uplink(routingKey, uplink("dev-" + i), Map.of("X-Key", "secret-" + i))),
          "integration " + i + " on the other node");

      await(onNode1.update(ORG, created.settings().id(), spec(Map.of("x-key", "changed"))));
      assertInstanceOf(
          UplinkResult.WrongHeader.class,
          await(onNode2.uplink(routingKey, uplink("dev-" + i), Map.of("X-Key", "secret-" + i))));

      await(onNode2.delete(ORG, created.settings().id()));
      assertInstanceOf(
          UplinkResult.UnknownRoutingKey.class,
          await(onNode1.uplink(routingKey, uplink("dev-" + i), Map.of("X-Key", "changed"))));
    }
    assertEquals(List.of(), await(onNode2.list(ORG)));
  }
}
