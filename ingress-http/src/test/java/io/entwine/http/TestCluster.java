package io.entwine.http;

import io.entwine.credentials.Credentials;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.Integration;
import io.entwine.integration.IntegrationDirectory;
import io.entwine.mgmt.ActionRequests;
import io.entwine.mgmt.ManagedDevice;
import io.entwine.registry.AuthIdIndex;
import io.entwine.registry.DeviceIdIndex;
import io.entwine.registry.DeviceTypeCatalog;
import io.entwine.registry.Organization;
import io.entwine.registry.StandardGatewayRoles;
import io.entwine.registry.TrustedCaIndex;
import io.entwine.testing.InMemoryCluster;
import io.entwine.twin.DeviceTwin;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;

/**
 * A single-node cluster with sharded organizations and twins on the in-memory journal. One is
 * started per test run and shared by the route test classes ({@link TestClusterExtension}); each
 * test uses its own organizations, so tests stay independent.
 */
public final class TestCluster implements AutoCloseable {
  public static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final ActorTestKit testKit;
  private final VerifiedSecrets secrets;
  private final TwinGateway gateway;
  private final PersistenceTestKit journal;

  private TestCluster(ActorTestKit testKit) {
    this.testKit = testKit;
    this.secrets = Credentials.get(testKit.system()).verifiedSecrets();
    this.gateway = gateway(ASK_TIMEOUT);
    this.journal = PersistenceTestKit.create(testKit.system());
  }

  public static TestCluster start() {
    ActorTestKit testKit =
        InMemoryCluster.startSingleNode("EntwineHttpTest", "entwine.twin.max-queued-commands = 5");
    Organization.init(testKit.system());
    DeviceTypeCatalog.init(testKit.system());
    ManagedDevice.init(testKit.system());
    ActionRequests.init(testKit.system());
    DeviceTwin.init(testKit.system());
    AuthIdIndex.TABLE.init(testKit.system());
    DeviceIdIndex.TABLE.init(testKit.system());
    StandardGatewayRoles.TABLE.init(testKit.system());
    TrustedCaIndex.TABLE.init(testKit.system());
    Integration.init(testKit.system());
    IntegrationDirectory.TABLE.init(testKit.system());
    return new TestCluster(testKit);
  }

  public ActorSystem<Void> system() {
    return testKit.system();
  }

  public VerifiedSecrets secrets() {
    return secrets;
  }

  public TwinGateway gateway() {
    return gateway;
  }

  /** Another gateway onto the same entities, e.g. with a short ask timeout. */
  public TwinGateway gateway(Duration askTimeout) {
    return new TwinGateway(testKit.system(), secrets, askTimeout);
  }

  public PersistenceTestKit journal() {
    return journal;
  }

  public List<Object> organizationEvents(String org) {
    return journal.persistedInStorage(Organization.ENTITY_KEY.name() + "|" + org);
  }

  public List<Object> twinEvents(DeviceKey device) {
    return journal.persistedInStorage(twinPersistenceId(device));
  }

  public static String twinPersistenceId(DeviceKey device) {
    return DeviceTwin.ENTITY_KEY.name() + "|" + device.entityId();
  }

  @Override
  public void close() {
    testKit.shutdownTestKit();
  }
}
