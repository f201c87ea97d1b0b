package io.entwine.deploy.testing;

import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two nodes of one cluster for a test class (two actor systems in this JVM, one keyspace):
 * {@code @RegisterExtension static final TwoNodeCluster cluster = new TwoNodeCluster();} starts
 * {@link #first()}, then {@link #second()}, which joins it, before the class's tests, and stops
 * them in the reverse order after. The first node fills the tests' {@link NewOrganization} and
 * {@link RegisteredDevice} fields, as a single {@link TestNode} does.
 */
public final class TwoNodeCluster
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private final TestNode first = TestNode.perClass();
  private final TestNode second = TestNode.joiningPerClass(first);
  private final Fixtures fixtures = new Fixtures(first);

  public TestNode first() {
    return first;
  }

  public TestNode second() {
    return second;
  }

  /** Organizations and devices, created through the first node. */
  public Fixtures fixtures() {
    return fixtures;
  }

  /**
   * {@code count} devices of {@code type} in {@code apiKey}'s organization, with ids {@code
   * idPrefix} 1 to {@code count}: sharding places twins by id, so several put some on each node.
   */
  public List<Device> devicesOnBothNodes(ApiKey apiKey, String type, String idPrefix, int count) {
    List<Device> devices = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      devices.add(fixtures.register(apiKey, type, idPrefix + i));
    }
    return devices;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    first.beforeAll(context);
    try {
      second.beforeAll(context);
    } catch (Exception | Error failure) {
      first.afterAll(context);
      throw failure;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      second.afterAll(context);
    } finally {
      first.afterAll(context);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    first.beforeEach(context);
  }
}
