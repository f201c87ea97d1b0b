package io.entwine.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.entwine.claims.ClaimEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the auth-id, device-id and trusted-CA indexes answer, in the gateway's reply type. */
class IndexesTest {
  private static final DeviceKey SENSOR = new DeviceKey("acme", "thermostat", "lab-1");
  private static final DeviceKey OTHER = new DeviceKey("acme", "gateway", "gw-1");
  private static final String CA = "CN=ACME CA,O=ACME";

  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit =
        ActorTestKit.create(
            "IndexesTest", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void authIdIsFoundAsTheDeviceThatClaimedIt() {
    var index = index(AuthIdIndex.TABLE.create(AuthIdIndex.entityId("acme", "sensor-1")));

    assertEquals(
        new Reply.Rejected(Rejection.NOT_FOUND, "Unknown auth-id 'sensor-1'"),
        run(index, AuthIdIndex.TABLE.lookup()).reply());
    assertEquals(new Reply.Done(), run(index, AuthIdIndex.TABLE.claim(SENSOR)).reply());
    assertEquals(new Reply.DeviceFound(SENSOR), run(index, AuthIdIndex.TABLE.lookup()).reply());
  }

  @Test
  void authIdOfAnotherDeviceIsRefusedNamingThatDevice() {
    var index = index(AuthIdIndex.TABLE.create(AuthIdIndex.entityId("acme", "sensor-1")));
    run(index, AuthIdIndex.TABLE.claim(SENSOR));

    var refused = run(index, AuthIdIndex.TABLE.claim(OTHER));
    var notReleased = run(index, AuthIdIndex.TABLE.release(OTHER));

    assertEquals(
        new Reply.Rejected(
            Rejection.ALREADY_EXISTS,
            "Auth-id 'sensor-1' is already used by device thermostat/lab-1"),
        refused.reply());
    assertTrue(refused.hasNoEvents());
    assertTrue(notReleased.hasNoEvents(), "only the holder releases it");
    assertEquals(new Reply.Done(), run(index, AuthIdIndex.TABLE.release(SENSOR)).reply());
    assertEquals(new Reply.Done(), run(index, AuthIdIndex.TABLE.claim(OTHER)).reply());
  }

  @Test
  void trustedCaIsClaimedByOneTenantAndRefusedWithoutNamingIt() {
    var index = index(TrustedCaIndex.TABLE.create(CA));

    assertEquals(
        new Reply.Rejected(Rejection.NOT_FOUND, "No tenant trusts CA " + CA),
        run(index, TrustedCaIndex.TABLE.lookup()).reply());
    assertEquals(new Reply.Done(), run(index, TrustedCaIndex.TABLE.claim("acme")).reply());
    assertEquals(new Reply.Done(), run(index, TrustedCaIndex.TABLE.claim("acme")).reply());
    assertEquals(
        new Reply.Rejected(
            Rejection.ALREADY_EXISTS,
            "Another tenant already trusts a CA with subject DN '" + CA + "'"),
        run(index, TrustedCaIndex.TABLE.claim("globex")).reply());
    assertEquals(new Reply.TenantFound("acme"), run(index, TrustedCaIndex.TABLE.lookup()).reply());
  }

  @Test
  void deviceIdListsItsTypesInOrder() {
    var index = index(DeviceIdIndex.TABLE.create(DeviceIdIndex.entityId("acme", "lab-1")));

    assertEquals(
        new Reply.DeviceTypes(List.of()), run(index, DeviceIdIndex.TABLE.lookup()).reply());
    run(index, DeviceIdIndex.TABLE.claim(SENSOR));
    run(index, DeviceIdIndex.TABLE.claim(new DeviceKey("acme", "gateway", "lab-1")));
    run(index, DeviceIdIndex.TABLE.claim(SENSOR));
    assertEquals(
        new Reply.DeviceTypes(List.of("gateway", "thermostat")),
        run(index, DeviceIdIndex.TABLE.lookup()).reply());
    run(index, DeviceIdIndex.TABLE.release(SENSOR));
    assertEquals(
        new Reply.DeviceTypes(List.of("gateway")),
        run(index, DeviceIdIndex.TABLE.lookup()).reply());
  }

  private static EventSourcedBehaviorTestKit<
          ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State>
      index(Behavior<ClaimEntity.Command> behavior) {
    EventSourcedBehaviorTestKit<ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State> index =
        EventSourcedBehaviorTestKit.create(testKit.system(), behavior);
    index.clear();
    return index;
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<
          ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State, Reply>
      run(
          EventSourcedBehaviorTestKit<ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State>
              index,
          Function<ActorRef<Reply>, ClaimEntity.Command> command) {
    return index.runCommand(command::apply);
  }
}
