package io.entwine.registry.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.deploy.testing.SchemaKeyspace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Seeking pages of registry_devices in Cassandra, against the in-memory default. */
class RegistryPagingIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension
  static final SchemaKeyspace cassandra = new SchemaKeyspace("registry-paging-it");

  private static RegistryRepository repository;

  @BeforeAll
  static void repository() {
    repository = new CassandraRegistryRepository(cassandra.session(), cassandra.keyspace());
  }

  @Test
  void pagesSeekAfterTheBookmarkInTypeAndIdOrder() {
    String org = "paging1";
    for (String type : List.of("b", "a", "c")) {
      for (String id : List.of("x2", "x1", "x10")) {
        await(repository.register(device(org, type, id)));
      }
    }
    await(repository.register(device("paging2", "a", "x0")));
    RegistryRepository defaults = defaultsOver(repository);

    for (String type : new String[] {null, "a", "b", "c", "d"}) {
      for (int limit : List.of(1, 2, 4, 100)) {
        assertEquals(walk(defaults, org, type, limit), walk(repository, org, type, limit));
      }
    }
    assertEquals(9, walk(repository, org, null, 4).size());
    assertEquals(
        List.of("b/x2", "c/x1", "c/x10"),
        await(repository.devicesAfter(org, null, "b", "x10", 3)).stream()
            .map(d -> d.type() + "/" + d.id())
            .toList());
    assertEquals(List.of(), await(repository.devicesAfter(org, "a", "b", "x1", 3)));
    assertEquals(3, await(repository.devicesAfter(org, "c", "b", "x1", 3)).size());
  }

  @Test
  void idRangesSeekOneIdOrAPrefixInIdOrder() {
    String org = "paging3";
    for (String id : List.of("lab-1", "lab-10", "lab-2", "lab", "lac", "la", "x.1")) {
      await(repository.register(device(org, "t", id)));
    }
    await(repository.register(device(org, "u", "lab-3")));
    await(repository.register(device("paging4", "t", "lab-4")));
    String nul = String.valueOf((char) 0);
    String max = String.valueOf((char) 0xffff);
    RegistryRepository defaults = defaultsOver(repository);
    List<String[]> ranges =
        List.of(
            new String[] {"lab", "lab" + max},
            new String[] {"lab-1", "lab-1" + max},
            new String[] {"lab-1", "lab-1" + nul},
            new String[] {"lab-1" + nul, "lab" + max},
            new String[] {"x.", "x." + max},
            new String[] {"", max},
            new String[] {"zz", "zz" + max});
    for (String[] range : ranges) {
      assertEquals(
          ids(await(defaults.devicesInIdRange(org, "t", range[0], range[1], 100))),
          ids(await(repository.devicesInIdRange(org, "t", range[0], range[1], 100))));
      assertEquals(
          await(defaults.countInIdRange(org, "t", range[0], range[1])),
          await(repository.countInIdRange(org, "t", range[0], range[1])));
    }
    assertEquals(
        List.of("lab", "lab-1", "lab-10", "lab-2"),
        ids(await(repository.devicesInIdRange(org, "t", "lab", "lab" + max, 100))));
    assertEquals(
        List.of("lab-10", "lab-2"),
        ids(await(repository.devicesInIdRange(org, "t", "lab-1" + nul, "lab" + max, 2))));
    assertEquals(1L, await(repository.countInIdRange(org, "t", "lab-1", "lab-1" + nul)));
  }

  @Test
  void organizationsArePagedInIdOrderFromOnePartition() {
    OrganizationRepository organizations =
        new CassandraOrganizationRepository(cassandra.session(), cassandra.keyspace());
    Instant at = Instant.parse("2026-12-07T12:00:00Z");
    for (String id : List.of("zeta", "acme", "mid")) {
      await(organizations.add(new ListedOrganization(id, "Name " + id, at)));
    }
    // a replayed creation writes the same row
    await(organizations.add(new ListedOrganization("acme", "Name acme", at)));
    assertEquals(
        List.of(
            new ListedOrganization("acme", "Name acme", at),
            new ListedOrganization("mid", "Name mid", at)),
        await(organizations.organizationsAfter(null, 2)));
    assertEquals(
        List.of("zeta"),
        await(organizations.organizationsAfter("mid", 2)).stream()
            .map(ListedOrganization::id)
            .toList());
    assertEquals(3L, await(organizations.count()));
  }

  private static List<String> ids(List<RegisteredDevice> devices) {
    return devices.stream().map(RegisteredDevice::id).toList();
  }

  /** The interface's own paging over the same rows: what the Cassandra seeks must match. */
  private static RegistryRepository defaultsOver(RegistryRepository repository) {
    return new RegistryRepository() {
      @Override
      public CompletionStage<org.apache.pekko.Done> register(RegisteredDevice d) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<org.apache.pekko.Done> updateMetadata(
          io.entwine.identity.DeviceKey d, com.fasterxml.jackson.databind.JsonNode m, Instant at) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<org.apache.pekko.Done> updateEnabled(
          io.entwine.identity.DeviceKey d, boolean e, Instant at) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<org.apache.pekko.Done> updateProfile(
          io.entwine.identity.DeviceKey d, io.entwine.protocol.DeviceProfile p, Instant at) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<org.apache.pekko.Done> delete(io.entwine.identity.DeviceKey d) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<List<RegisteredDevice>> devices(String o) {
        return repository.devices(o);
      }

      @Override
      public CompletionStage<List<RegisteredDevice>> devices(String o, String t) {
        return repository.devices(o, t);
      }

      @Override
      public CompletionStage<List<DeviceTypeCount>> deviceTypes(String o) {
        return repository.deviceTypes(o);
      }
    };
  }

  private static List<String> walk(RegistryRepository repo, String org, String type, int limit) {
    List<String> seen = new ArrayList<>();
    String afterType = null;
    String afterId = null;
    while (true) {
      List<RegisteredDevice> page = await(repo.devicesAfter(org, type, afterType, afterId, limit));
      page.forEach(d -> seen.add(d.type() + "/" + d.id()));
      if (page.size() < limit) {
        return seen;
      }
      afterType = page.get(page.size() - 1).type();
      afterId = page.get(page.size() - 1).id();
    }
  }

  private static RegisteredDevice device(String org, String type, String id) {
    return new RegisteredDevice(
        org, type, id, null, true, "a-key", "apikey", Instant.parse("2026-11-01T00:00:00Z"), null);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
