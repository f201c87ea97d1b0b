package io.entwine.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.claims.ClaimEntity;
import io.entwine.protocol.Rejection;
import io.entwine.testing.EventSourcedTestSystem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The integration entity: creation, ownership, debug events, recovery and serialization. */
class IntegrationTest {
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123Z");
  private static final Integration.Settings SETTINGS =
      new Integration.Settings(
          "org1",
          "id-1",
          "HTTP Integration",
          "HTTP",
          "return {deviceName: 'x'};",
          "return {contentType: 'TEXT', data: 'x'};",
          true,
          Map.of("test-header", "aes-gcm$iv$sealed"),
          false,
          true);

  @RegisterExtension
  static final EventSourcedTestSystem testKit = new EventSourcedTestSystem("IntegrationTest");

  private EventSourcedBehaviorTestKit<Integration.Command, Integration.Event, Integration.State>
      integration;

  @BeforeEach
  void createdIntegration() {
    integration = EventSourcedBehaviorTestKit.create(testKit.system(), Integration.create("rk-1"));
    integration.clear();
    integration.<IntegrationReply>runCommand(
        replyTo -> new Integration.Create(SETTINGS, AT, replyTo));
  }

  private static Integration.DebugEvent debug(String converter, int n) {
    return new Integration.DebugEvent(converter, AT.plusSeconds(n), "in" + n, "out" + n, null);
  }

  @Test
  void isFoundByItsRoutingKeyAndSurvivesARestart() {
    integration.restart();
    IntegrationReply.Found found =
        assertInstanceOf(
            IntegrationReply.Found.class,
            integration.<IntegrationReply>runCommand(Integration.Get::new).reply());
    assertEquals("rk-1", found.routingKey());
    assertEquals(SETTINGS, found.settings());
  }

  @Test
  void anotherOrganizationCannotChangeOrDeleteIt() {
    Integration.Settings foreign =
        new Integration.Settings(
            "org2", "id-1", "x", "HTTP", "return 1;", null, true, Map.of(), false, false);
    var update =
        integration.<IntegrationReply>runCommand(
            replyTo -> new Integration.Update(foreign, AT, replyTo));
    var delete =
        integration.<IntegrationReply>runCommand(
            replyTo -> new Integration.Delete("org2", AT, replyTo));

    assertEquals(Rejection.NOT_FOUND, ((IntegrationReply.Rejected) update.reply()).reason());
    assertEquals(Rejection.NOT_FOUND, ((IntegrationReply.Rejected) delete.reply()).reason());
    assertTrue(update.hasNoEvents());
    assertTrue(delete.hasNoEvents());
  }

  @Test
  void keepsTheLastDebugEventsOfEachConverter() {
    for (int i = 0; i < Integration.DEBUG_EVENTS_PER_CONVERTER + 5; i++) {
      integration.runCommand(new Integration.RecordDebug(debug("uplink", i)));
    }
    integration.runCommand(new Integration.RecordDebug(debug("downlink", 100)));

    List<Integration.DebugEvent> events =
        ((IntegrationReply.DebugEvents)
                integration
                    .<IntegrationReply>runCommand(
                        replyTo -> new Integration.GetDebugEvents("org1", replyTo))
                    .reply())
            .events();
    assertEquals(Integration.DEBUG_EVENTS_PER_CONVERTER + 1, events.size());
    assertEquals("in5", events.get(0).in(), "the oldest uplink runs went");
    assertEquals("downlink", events.get(events.size() - 1).converter());
  }

  @Test
  void recordsNoDebugEventsWhileDebugIsOff() {
    Integration.Settings quiet =
        new Integration.Settings(
            "org1", "id-1", "x", "HTTP", "return 1;", null, true, Map.of(), false, false);
    integration.<IntegrationReply>runCommand(replyTo -> new Integration.Update(quiet, AT, replyTo));

    assertTrue(
        integration.runCommand(new Integration.RecordDebug(debug("uplink", 1))).hasNoEvents());
  }

  @Test
  void everyPersistentAndRemoteTypeRoundTrips() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    ActorRef<IntegrationReply> replyTo = testKit.<IntegrationReply>createTestProbe().ref();
    List<Object> samples = new ArrayList<>();
    samples.addAll(
        List.of(
            new Integration.Create(SETTINGS, AT, replyTo),
            new Integration.Update(SETTINGS, AT, replyTo),
            new Integration.Delete("org1", AT, replyTo),
            new Integration.Get(replyTo),
            new Integration.RecordDebug(debug("uplink", 1)),
            new Integration.GetDebugEvents("org1", replyTo),
            new Integration.Created(SETTINGS, AT),
            new Integration.Updated(SETTINGS, AT),
            new Integration.Deleted(AT),
            new Integration.DebugRecorded(
                new Integration.DebugEvent("downlink", AT, "{}", null, "TypeError: x")),
            new Integration.State(SETTINGS, AT, AT, List.of(debug("uplink", 1))),
            IntegrationDirectory.TABLE.claim("id-1", "rk-1").apply(replyTo),
            IntegrationDirectory.TABLE.release("id-1").apply(replyTo),
            IntegrationDirectory.TABLE.lookup().apply(replyTo),
            new ClaimEntity.Claimed("id-1", "rk-1"),
            new ClaimEntity.Released("id-1"),
            new ClaimEntity.State(Map.of("id-1", "rk-1")),
            new IntegrationReply.Done(),
            new IntegrationReply.Rejected(Rejection.NOT_FOUND, "No such integration"),
            new IntegrationReply.Found("rk-1", SETTINGS, AT, AT),
            new IntegrationReply.Directory(Map.of("id-1", "rk-1")),
            new IntegrationReply.DebugEvents(List.of(debug("uplink", 2)))));
    Set<Class<?>> sampled = new java.util.HashSet<>();
    for (Object sample : samples) {
      assertEquals(sample, serialization.verifySerialization(sample, false), sample.toString());
      sampled.add(sample.getClass());
    }
    for (Class<?> sealed :
        List.of(
            Integration.Command.class,
            Integration.Event.class,
            ClaimEntity.Command.class,
            ClaimEntity.Event.class,
            IntegrationReply.class)) {
      for (Class<?> type : sealed.getPermittedSubclasses()) {
        assertTrue(sampled.contains(type), "no serialization sample of " + type.getName());
      }
    }
  }
}
