package io.entwine.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Journals written before the indexes shared {@link ClaimEntity} still replay: the bytes below are
 * what the old {@code AuthIdIndex}, {@code TrustedCaIndex} and {@code DeviceIdIndex} events
 * serialized to (jackson-cbor, serializer 33), under the manifests they were stored with.
 */
class LegacyClaimEventMigrationTest {
  private static final int JACKSON_CBOR = 33;

  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("LegacyClaimEventMigrationTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void eventsOfTheOldIndexesReadAsClaimsOfTheirKeys() {
    String device = "v2ZkZXZpY2W/Y29yZ2RhY21lZHR5cGVnZ2F0ZXdheWJpZGRndy0x//8=";
    String org = "v2NvcmdkYWNtZf8=";
    String type = "v2R0eXBlanRoZXJtb3N0YXT/";
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("AuthIdIndex$Claimed " + device, new ClaimEntity.Claimed("acme/gateway/gw-1", ""));
    expected.put("AuthIdIndex$Released " + device, new ClaimEntity.Released("acme/gateway/gw-1"));
    expected.put("TrustedCaIndex$Claimed " + org, new ClaimEntity.Claimed("acme", ""));
    expected.put("TrustedCaIndex$Released " + org, new ClaimEntity.Released("acme"));
    expected.put("DeviceIdIndex$TypeAdded " + type, new ClaimEntity.Claimed("thermostat", ""));
    expected.put("DeviceIdIndex$TypeRemoved " + type, new ClaimEntity.Released("thermostat"));

    expected.forEach(
        (stored, event) -> {
          String[] manifestAndBytes = stored.split(" ");
          assertEquals(
              event, read("io.entwine.registry." + manifestAndBytes[0], manifestAndBytes[1]));
        });
  }

  @Test
  void anOldJournalReplaysToTheStateItHadBefore() {
    String first = "v2R0eXBlanRoZXJtb3N0YXT/";
    String second = "v2R0eXBlZ2dhdGV3YXn/";
    List<Object> journal =
        List.of(
            read("io.entwine.registry.DeviceIdIndex$TypeAdded", first),
            read("io.entwine.registry.DeviceIdIndex$TypeAdded", second),
            read("io.entwine.registry.DeviceIdIndex$TypeRemoved", first));

    ClaimEntity.State state = ClaimEntity.State.EMPTY;
    for (Object event : journal) {
      state = state.apply((ClaimEntity.Event) event);
    }

    assertEquals(Map.of("gateway", ""), state.claims());
  }

  private static Object read(String manifest, String base64) {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    return serialization
        .deserialize(Base64.getDecoder().decode(base64), JACKSON_CBOR, manifest)
        .get();
  }
}
