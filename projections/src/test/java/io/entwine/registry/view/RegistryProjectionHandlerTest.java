package io.entwine.registry.view;

import static io.entwine.testing.BatchedProjections.batches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.DeviceProfile;
import io.entwine.testing.BatchedProjections;
import io.entwine.testing.TwinEventHistory;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.DeviceDeleted;
import io.entwine.twin.TwinEvent.DeviceRegistered;
import io.entwine.twin.TwinEvent.EnabledChanged;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.MetadataUpdated;
import io.entwine.twin.TwinEvent.ProfileUpdated;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.function.Effect;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RegistryProjectionHandlerTest {

  @RegisterExtension static final BatchedProjections projections = new BatchedProjections();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ORG = "ey67sp";
  private static final DeviceKey PI = new DeviceKey(ORG, "raspberrypi", "1958138a4dfe");
  private static final DeviceKey PI_2 = new DeviceKey(ORG, "raspberrypi", "77aa01");
  private static final DeviceKey MBED = new DeviceKey(ORG, "mbed", "1253138b4dcd");
  private static final DeviceKey OTHER_ORG = new DeviceKey("zz99zz", "mbed", "1253138b4dcd");
  private static final Instant AT = Instant.parse("2014-08-21T23:25:43Z");

  @Test
  void registersDeviceWithEveryColumn() {
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository();
    TwinEventHistory history =
        new TwinEventHistory(AT).add(PI, registered(PI, "{\"address\":{\"number\":29}}"));

    project(
        repository,
        batches(history.envelopes(), 10),
        () ->
            assertEquals(
                List.of(
                    new RegisteredDevice(
                        ORG,
                        "raspberrypi",
                        "1958138a4dfe",
                        json("{\"address\":{\"number\":29}}"),
                        true,
                        "joebloggs@uk.ibm.com",
                        "person",
                        AT,
                        null)),
                repository.devices(ORG).toCompletableFuture().join()));
  }

  @Test
  void appliesMetadataUpdatesAndDisabling() {
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository();
    TwinEventHistory history =
        new TwinEventHistory(AT)
            .add(PI, registered(PI, "{\"v\":1}"))
            .add(PI, new MetadataUpdated(json("{\"v\":2}"), AT.plusSeconds(1)))
            .add(PI, new EnabledChanged(false, AT.plusSeconds(2)));

    project(
        repository,
        batches(history.envelopes(), 2),
        () -> {
          RegisteredDevice device = repository.devices(ORG).toCompletableFuture().join().get(0);
          assertEquals(json("{\"v\":2}"), device.metadata());
          assertFalse(device.enabled());
          assertEquals(AT, device.registeredAt());
        });
  }

  @Test
  void keepsEachPartOfTheProfileUntilAChangeSetsIt() {
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository();
    TwinEventHistory history =
        new TwinEventHistory(AT)
            .add(PI, registered(PI, "{}"))
            .add(PI, new ProfileUpdated(new DeviceProfile(json("{\"model\":\"M1\"}"), null), AT))
            .add(
                PI,
                new ProfileUpdated(
                    new DeviceProfile(null, json("{\"latitude\":1,\"longitude\":2}")),
                    AT.plusSeconds(1)));

    project(
        repository,
        batches(history.envelopes(), 2),
        () ->
            assertEquals(
                new DeviceProfile(
                    json("{\"model\":\"M1\"}"), json("{\"latitude\":1,\"longitude\":2}")),
                repository.devices(ORG).toCompletableFuture().join().get(0).profile()));
  }

  @Test
  void deletesDevice() {
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository();
    TwinEventHistory history =
        new TwinEventHistory(AT)
            .add(PI, registered(PI, "{}"))
            .add(MBED, registered(MBED, "{}"))
            .add(PI, new DeviceDeleted(AT.plusSeconds(5)));

    project(
        repository,
        batches(history.envelopes(), 2),
        () -> assertEquals(List.of(MBED), keys(repository.devices(ORG))));
  }

  @Test
  void writesNothingForRecordedEvents() {
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository();
    TwinEventHistory history =
        new TwinEventHistory(AT)
            .add(PI, registered(PI, "{}"))
            .add(PI, recorded())
            .add(PI, recorded())
            .add(PI, recorded())
            .add(MBED, registered(MBED, "{}"))
            .add(PI, recorded());

    project(
        repository,
        batches(history.envelopes(), 2),
        () -> {
          // MBED's registration comes last, so once it is there every batch was handled.
          assertEquals(List.of(MBED, PI), keys(repository.devices(ORG)));
          assertEquals(2, repository.writes());
        });
  }

  @Test
  void replayingEnvelopesLeavesIdenticalRows() {
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository();
    List<EventEnvelope<TwinEvent>> history =
        new TwinEventHistory(AT)
            .add(PI, registered(PI, "{\"v\":1}"))
            .add(MBED, registered(MBED, "{}"))
            .add(PI, new MetadataUpdated(json("{\"v\":2}"), AT.plusSeconds(1)))
            .add(PI, recorded())
            .add(MBED, new EnabledChanged(false, AT.plusSeconds(2)))
            .add(PI_2, registered(PI_2, "{\"v\":1}"))
            .add(PI_2, new DeviceDeleted(AT.plusSeconds(3)))
            .add(PI_2, registered(PI_2, "{\"v\":3}"))
            .add(MBED, new EnabledChanged(true, AT.plusSeconds(4)))
            .add(MBED, new MetadataUpdated(json("{\"v\":4}"), AT.plusSeconds(4)))
            .envelopes();
    project(repository, batches(history, 3), () -> assertEquals(9, repository.writes()));
    List<RegisteredDevice> afterFirstPass = repository.devices(ORG).toCompletableFuture().join();

    // As after a restart whose last stored offset was the fourth envelope's, then from scratch.
    List<EventEnvelope<TwinEvent>> suffix = history.subList(4, history.size());
    project(repository, batches(suffix, 4), () -> assertEquals(15, repository.writes()));
    assertEquals(afterFirstPass, repository.devices(ORG).toCompletableFuture().join());

    project(repository, batches(history, 100), () -> assertEquals(24, repository.writes()));
    assertEquals(afterFirstPass, repository.devices(ORG).toCompletableFuture().join());
  }

  @Test
  void countsDevicesPerTypeWithinTheOrganization() {
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository();
    TwinEventHistory history =
        new TwinEventHistory(AT)
            .add(PI, registered(PI, "{}"))
            .add(MBED, registered(MBED, "{}"))
            .add(PI_2, registered(PI_2, "{}"))
            .add(OTHER_ORG, registered(OTHER_ORG, "{}"));

    project(
        repository,
        batches(history.envelopes(), 100),
        () -> {
          assertEquals(
              List.of(new DeviceTypeCount("mbed", 1), new DeviceTypeCount("raspberrypi", 2)),
              repository.deviceTypes(ORG).toCompletableFuture().join());
          assertEquals(List.of(PI, PI_2), keys(repository.devices(ORG, "raspberrypi")));
        });
  }

  @Test
  void appliesEachDevicesWritesInEventOrder() {
    // Registrations complete late: a delete issued without waiting for them would be overtaken.
    InMemoryRegistryRepository repository = new InMemoryRegistryRepository(Duration.ofMillis(200));
    TwinEventHistory history =
        new TwinEventHistory(AT)
            .add(PI, registered(PI, "{}"))
            .add(PI, new MetadataUpdated(json("{\"v\":2}"), AT.plusSeconds(1)))
            .add(PI, new DeviceDeleted(AT.plusSeconds(2)))
            .add(MBED, registered(MBED, "{}"));

    project(
        repository,
        batches(history.envelopes(), 100),
        () -> {
          assertEquals(4, repository.writes());
          assertEquals(List.of(MBED), keys(repository.devices(ORG)));
        });
  }

  // ---- helpers ----

  private static void project(
      RegistryRepository repository,
      List<List<EventEnvelope<TwinEvent>>> batches,
      Effect assertion) {
    projections.run(
        BatchedProjections.projection(
            ProjectionId.of(RegistryProjection.NAME, DeviceTwin.REGISTRY_TAGS.get(0)),
            batches,
            () -> new RegistryProjectionHandler(repository)),
        assertion);
  }

  private static DeviceRegistered registered(DeviceKey device, String metadata) {
    return new DeviceRegistered(
        device.org(),
        device.type(),
        device.id(),
        "secret-hash",
        json(metadata),
        "joebloggs@uk.ibm.com",
        "person",
        AT);
  }

  private static EventRecorded recorded() {
    return new EventRecorded(
        "status", "json", "{\"temp\":21}".getBytes(StandardCharsets.UTF_8), AT, AT);
  }

  private static List<DeviceKey> keys(CompletionStage<List<RegisteredDevice>> devices) {
    return devices.toCompletableFuture().join().stream()
        .map(device -> new DeviceKey(device.org(), device.type(), device.id()))
        .toList();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
