package io.entwine.ingress;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/** A one-node cluster on the in-memory journal, every message serialized as across the network. */
final class SingleNodeCluster {
  private SingleNodeCluster() {}

  /** Started and Up; {@code settings} (HOCON) go over the test defaults. */
  static ActorTestKit start(String name, String settings) {
    ActorTestKit testKit =
        ActorTestKit.create(
            name,
            ConfigFactory.parseString(settings)
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
                        entwine.credentials.pbkdf2-iterations = 1000
                        """))
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
                .withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(testKit.system());
    TestProbe<SelfUp> up = testKit.createTestProbe();
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
    return testKit;
  }
}
