package io.entwine.deploy.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.StateApi;
import io.entwine.deploy.testing.TestNode;
import io.entwine.deploy.testing.TwoNodeCluster;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two applications write the same version of a twin's desired state at once, one through each node
 * of a two-node cluster: exactly one wins, the other gets 412 with the winner's version. Several
 * devices, so that twins on both nodes are written through both.
 */
class StateConflictIT {

  @RegisterExtension static final TwoNodeCluster cluster = new TwoNodeCluster();
  private static final TestNode first = cluster.first();
  private static final TestNode second = cluster.second();
  @NewOrganization private ApiKey apiKey;

  private TestNode.Response desire(TestNode node, Device device, String body) {
    return new StateApi(node, apiKey, device.type(), device.id()).desire(body, "\"0\"");
  }

  @Test
  void ofTwoWritesOfTheSameVersionOnTwoNodesExactlyOneWins() throws Exception {
    List<Device> devices = cluster.devicesOnBothNodes(apiKey, "valve", "v-", 6);
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      for (Device device : devices) {
        assertOneWins(device, writers);
      }
    } finally {
      writers.shutdownNow();
    }
  }

  private void assertOneWins(Device device, ExecutorService writers) throws Exception {
    CyclicBarrier together = new CyclicBarrier(2);
    CompletableFuture<TestNode.Response> viaFirst =
        CompletableFuture.supplyAsync(
            () -> awaitThen(together, () -> desire(first, device, "{\"open\":10}")), writers);
    CompletableFuture<TestNode.Response> viaSecond =
        CompletableFuture.supplyAsync(
            () -> awaitThen(together, () -> desire(second, device, "{\"open\":90}")), writers);
    TestNode.Response a = viaFirst.get();
    TestNode.Response b = viaSecond.get();

    assertEquals(List.of(200, 412), List.of(a.status(), b.status()).stream().sorted().toList());
    TestNode.Response won = a.status() == 200 ? a : b;
    TestNode.Response lost = a.status() == 200 ? b : a;
    assertEquals(1, lost.json().get("version").asLong(), lost.body());
    TestNode.Response state = new StateApi(second, apiKey, device.type(), device.id()).state();
    assertEquals(won.json().get("desired"), state.json().get("desired"), "the winner's value");
    assertEquals(1, state.json().get("version").asLong());
  }

  private static <T> T awaitThen(CyclicBarrier barrier, Supplier<T> then) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return then.get();
  }
}
