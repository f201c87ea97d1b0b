package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The IBM v0002 profile of a twin: deviceInfo and location, set at registration or later. */
class DeviceTwinProfileTest {
  private static final DeviceKey DEVICE = new DeviceKey("myorg", "sensor", "dev-1");
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final TwinSettings SETTINGS =
      new TwinSettings(100, 2, 100, 100, Duration.ofHours(1));

  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin;

  @BeforeAll
  static void startSystem() {
    testKit = TwinFixture.startSystem("DeviceTwinProfileTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshTwin() {
    VerifiedSecrets secrets = new VerifiedSecrets(TwinFixture.HASHER, Runnable::run, 1000);
    twin =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), DeviceTwin.create(DEVICE.entityId(), SETTINGS, secrets));
    twin.clear();
  }

  @Test
  void registrationWithAProfilePersistsItBesideTheRegistrationAndSurvivesRecovery() {
    DeviceProfile profile = new DeviceProfile(info("SN-1"), location(52.5));

    var result = register(profile);

    assertEquals(2, result.events().size());
    assertEquals(new TwinEvent.ProfileUpdated(profile, T0), result.events().get(1));
    assertEquals(profile, ((Reply.DeviceInfo) result.reply()).profile());
    twin.restart();
    assertEquals(profile, twin.getState().registration().profile());
  }

  @Test
  void registrationWithoutAProfileKeepsNone() {
    var result = register(null);

    assertEquals(1, result.events().size());
    assertNull(result.state().registration().profile());
    assertNull(((Reply.DeviceInfo) result.reply()).profile());
  }

  @Test
  void anUpdateReplacesOnlyThePartsItGives() {
    register(new DeviceProfile(info("SN-1"), location(52.5)));

    var result = updateProfile(new DeviceProfile(null, location(48.1)));

    assertEquals(
        new DeviceProfile(info("SN-1"), location(48.1)), result.state().registration().profile());
    assertEquals(
        new DeviceProfile(info("SN-1"), location(48.1)),
        ((Reply.DeviceInfo) result.reply()).profile());
  }

  @Test
  void anUpdateThatChangesNothingPersistsNothing() {
    register(new DeviceProfile(info("SN-1"), null));

    var result = updateProfile(new DeviceProfile(info("SN-1"), null));

    assertTrue(result.hasNoEvents());
  }

  @Test
  void anUpdateOfAnUnregisteredDeviceIsNotFoundAndPersistsNothing() {
    var result = updateProfile(new DeviceProfile(info("SN-1"), null));

    assertTrue(result.hasNoEvents());
    assertEquals(Rejection.NOT_FOUND, ((Reply.Rejected) result.reply()).reason());
  }

  @Test
  void republishingPersistsTheWholeProfileAgainAndChangesNothingElse() {
    DeviceProfile profile = new DeviceProfile(info("SN-1"), location(52.5));
    register(profile);

    var result = twin.<Reply>runCommand(replyTo -> new TwinCommand.RepublishProfile(T0, replyTo));

    assertEquals(java.util.List.of(new TwinEvent.ProfileUpdated(profile, T0)), result.events());
    assertEquals(profile, result.state().registration().profile());
  }

  @Test
  void republishingWithoutAProfileOrDevicePersistsNothing() {
    var unknown = twin.<Reply>runCommand(replyTo -> new TwinCommand.RepublishProfile(T0, replyTo));
    register(null);
    var bare = twin.<Reply>runCommand(replyTo -> new TwinCommand.RepublishProfile(T0, replyTo));

    assertTrue(unknown.hasNoEvents());
    assertEquals(Rejection.NOT_FOUND, ((Reply.Rejected) unknown.reply()).reason());
    assertTrue(bare.hasNoEvents());
    assertTrue(bare.reply() instanceof Reply.DeviceInfo);
  }

  @Test
  void deletingTheDeviceForgetsItsProfile() {
    register(new DeviceProfile(info("SN-1"), null));
    twin.<Reply>runCommand(replyTo -> new TwinCommand.Delete(T0, replyTo));

    var again = register(null);

    assertNull(again.state().registration().profile());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      register(DeviceProfile profile) {
    return twin.runCommand(
        replyTo ->
            new TwinCommand.Register(
                TwinFixture.HASHER.hash(TwinFixture.TOKEN),
                null,
                profile,
                "a-myorg-key",
                "apikey",
                T0,
                replyTo));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      updateProfile(DeviceProfile change) {
    return twin.runCommand(replyTo -> new TwinCommand.UpdateProfile(change, T0, replyTo));
  }

  private static ObjectNode info(String serial) {
    return JsonNodeFactory.instance.objectNode().put("serialNumber", serial);
  }

  private static ObjectNode location(double latitude) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("latitude", latitude)
        .put("longitude", 13.4)
        .put("updatedDateTime", T0.toString());
  }
}
