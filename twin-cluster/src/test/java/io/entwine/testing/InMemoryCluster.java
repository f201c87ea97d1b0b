package io.entwine.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * Cluster nodes in the test's JVM on the in-memory journal, every message serialized as if it
 * crossed the network: the set-up that the gateway, route and integration tests of every module
 * share (twin-cluster's test-jar). The caller shuts the nodes down.
 */
public final class InMemoryCluster {
  private static final Duration UP_TIMEOUT = Duration.ofSeconds(30);

  private InMemoryCluster() {}

  /** The nodes' settings: {@code settings} (HOCON) over the test defaults. */
  public static Config config(String settings) {
    return ConfigFactory.parseString(settings)
        .withFallback(
            ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                # Leaving the cluster gracefully once took over the default 10 s on a busy 2-core CI host.
                pekko.actor.testkit.typed.system-shutdown-default = 30s
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                # Every message is serialized as if it crossed the network.
                pekko.actor.serialize-messages = on
                # Several nodes in one JVM each register their cluster MBean.
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                entwine.credentials.pbkdf2-iterations = 1000
                """))
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
        .withFallback(ConfigFactory.load());
  }

  /** One node that forms a cluster of its own; returns once it is Up. */
  public static ActorTestKit startSingleNode(String name, String settings) {
    return startNodes(1, name, settings).get(0);
  }

  /** {@code count} nodes of one cluster, the first the seed; returns once each is Up. */
  public static List<ActorTestKit> startNodes(int count, String name, String settings) {
    Config config = config(settings);
    List<ActorTestKit> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ActorTestKit node = ActorTestKit.create(name, config);
      nodes.add(node);
      joinAndAwaitUp(node, nodes.get(0));
    }
    return nodes;
  }

  private static void joinAndAwaitUp(ActorTestKit node, ActorTestKit seed) {
    Cluster cluster = Cluster.get(node.system());
    TestProbe<SelfUp> up = node.createTestProbe();
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(Cluster.get(seed.system()).selfMember().address()));
    up.expectMessageClass(SelfUp.class, UP_TIMEOUT);
  }
}
