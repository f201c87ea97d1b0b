package io.entwine.registry.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.SchemaKeyspace;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.DeviceProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CassandraRegistryRepositoryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  // Cassandra timestamps keep milliseconds.
  private static final Instant AT = Instant.parse("2014-08-21T23:25:43.123Z");

  @RegisterExtension static final SchemaKeyspace cassandra = new SchemaKeyspace("registry-it");
  private static RegistryRepository repository;

  @BeforeAll
  static void repository() {
    repository = new CassandraRegistryRepository(cassandra.session(), cassandra.keyspace());
  }

  @Test
  void listsDevicesOfTheOrganizationByTypeAndId() {
    String org = "list01";
    RegisteredDevice pi = device(org, "raspberrypi", "b2", "{\"address\":{\"number\":29}}");
    RegisteredDevice firstPi = device(org, "raspberrypi", "a1", "{\"n\":[1,2.5,\"x\",null]}");
    RegisteredDevice mbed = device(org, "mbed", "c3", "{}");
    await(repository.register(pi));
    await(repository.register(firstPi));
    await(repository.register(mbed));
    await(repository.register(device("other1", "mbed", "c3", "{}")));

    assertEquals(List.of(mbed, firstPi, pi), await(repository.devices(org)));
    assertEquals(List.of(firstPi, pi), await(repository.devices(org, "raspberrypi")));
    assertEquals(List.of(), await(repository.devices(org, "unknown")));
  }

  @Test
  void countsDevicesPerType() {
    String org = "count1";
    await(repository.register(device(org, "raspberrypi", "a1", "{}")));
    await(repository.register(device(org, "raspberrypi", "a2", "{}")));
    await(repository.register(device(org, "mbed", "c3", "{}")));
    await(repository.register(device("other2", "mbed", "c3", "{}")));

    assertEquals(
        List.of(new DeviceTypeCount("mbed", 1), new DeviceTypeCount("raspberrypi", 2)),
        await(repository.deviceTypes(org)));
    assertEquals(List.of(), await(repository.deviceTypes("empty1")));
  }

  @Test
  void keepsEachPartOfTheProfileUntilAChangeSetsIt() {
    DeviceKey key = new DeviceKey("profile1", "mbed", "c3");
    await(repository.register(device("profile1", "mbed", "c3", "{}")));

    await(repository.updateProfile(key, new DeviceProfile(json("{\"model\":\"M1\"}"), null), AT));
    await(
        repository.updateProfile(
            key, new DeviceProfile(null, json("{\"latitude\":1.5,\"longitude\":2}")), AT));

    assertEquals(
        new DeviceProfile(json("{\"model\":\"M1\"}"), json("{\"latitude\":1.5,\"longitude\":2}")),
        await(repository.devices("profile1")).get(0).profile());
  }

  @Test
  void updatesMetadataAndEnabledFlag() {
    RegisteredDevice registered = device("update1", "mbed", "c3", "{\"v\":1}");
    DeviceKey key = new DeviceKey("update1", "mbed", "c3");
    await(repository.register(registered));

    await(repository.updateMetadata(key, json("{\"v\":2}"), AT.plusSeconds(1)));
    await(repository.updateEnabled(key, false, AT.plusSeconds(2)));

    assertEquals(
        List.of(
            new RegisteredDevice(
                "update1",
                "mbed",
                "c3",
                json("{\"v\":2}"),
                false,
                "joebloggs@uk.ibm.com",
                "person",
                AT,
                null)),
        await(repository.devices("update1")));
  }

  @Test
  void deletedDeviceCanBeRegisteredAgain() {
    DeviceKey key = new DeviceKey("delete1", "mbed", "c3");
    await(repository.register(device("delete1", "mbed", "c3", "{\"v\":1}")));
    await(repository.register(device("delete1", "mbed", "d4", "{}")));

    await(repository.delete(key));
    assertEquals(List.of("d4"), ids(repository.devices("delete1")));

    RegisteredDevice again = device("delete1", "mbed", "c3", "{\"v\":2}");
    await(repository.register(again));
    assertEquals(again, await(repository.devices("delete1", "mbed")).get(0));
  }

  @Test
  void repeatedWritesLeaveTheSameRow() {
    RegisteredDevice registered = device("repeat1", "mbed", "c3", "{\"v\":1}");
    DeviceKey key = new DeviceKey("repeat1", "mbed", "c3");
    for (int round = 0; round < 2; round++) {
      await(repository.register(registered));
      await(repository.updateEnabled(key, false, AT.plusSeconds(1)));
    }

    assertEquals(List.of(new DeviceTypeCount("mbed", 1)), await(repository.deviceTypes("repeat1")));
    assertFalse(await(repository.devices("repeat1")).get(0).enabled());
  }

  @Test
  void keepsAbsentMetadataAbsent() {
    await(repository.register(device("nometa1", "mbed", "c3", null)));

    assertNull(await(repository.devices("nometa1")).get(0).metadata());
  }

  private static RegisteredDevice device(String org, String type, String id, String metadata) {
    return new RegisteredDevice(
        org,
        type,
        id,
        metadata == null ? null : json(metadata),
        true,
        "joebloggs@uk.ibm.com",
        "person",
        AT,
        null);
  }

  private static List<String> ids(CompletionStage<List<RegisteredDevice>> devices) {
    return await(devices).stream().map(RegisteredDevice::id).toList();
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
