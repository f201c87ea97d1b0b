package io.entwine.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.testing.EventSourcedTestSystem;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeviceTypeCatalogTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant T1 = T0.plusSeconds(60);

  @RegisterExtension
  static final EventSourcedTestSystem testKit = new EventSourcedTestSystem("DeviceTypeCatalogTest");

  private EventSourcedBehaviorTestKit<
          DeviceTypeCatalog.Command, DeviceTypeCatalog.Event, DeviceTypeCatalog.State>
      catalog;

  @BeforeEach
  void freshCatalog() {
    catalog = EventSourcedBehaviorTestKit.create(testKit.system(), DeviceTypeCatalog.create("org"));
    catalog.clear();
  }

  @Test
  void createdTypesAreListedByIdAndSurviveRecovery() {
    create("thermo", "Device");
    create("gw", "Gateway");

    catalog.restart();

    Reply.DeviceTypeList list =
        (Reply.DeviceTypeList) run(DeviceTypeCatalog.ListTypes::new).reply();
    assertEquals(
        List.of("gw", "thermo"), list.types().stream().map(Reply.DeviceTypeInfo::id).toList());
    assertEquals("Gateway", list.types().get(0).classId());
  }

  @Test
  void aDuplicateIsRefusedAndPersistsNothing() {
    create("thermo", "Device");

    var again = create("thermo", "Gateway");

    assertTrue(again.hasNoEvents());
    assertEquals(Rejection.ALREADY_EXISTS, ((Reply.Rejected) again.reply()).reason());
    assertEquals("Device", catalog.getState().types().get("thermo").classId());
  }

  @Test
  void anUpdateReplacesWhatItGivesAndKeepsTheRest() {
    create("thermo", "Device");

    var result =
        run(
            replyTo ->
                new DeviceTypeCatalog.UpdateType(
                    new DeviceTypeCatalog.TypeUpdated("thermo", "new", null, info("M2"), T1),
                    replyTo));

    Reply.DeviceTypeInfo type = (Reply.DeviceTypeInfo) result.reply();
    assertEquals("new", type.description());
    assertEquals(info("M1"), type.deviceInfo());
    assertEquals(info("M2"), type.metadata());
    assertEquals(T0, type.created());
    assertEquals(T1, type.updated());
  }

  @Test
  void unknownTypesAreNotFoundAndNothingIsPersisted() {
    var get = run(replyTo -> new DeviceTypeCatalog.GetType("nope", replyTo));
    var update =
        run(
            replyTo ->
                new DeviceTypeCatalog.UpdateType(
                    new DeviceTypeCatalog.TypeUpdated("nope", "d", null, null, T1), replyTo));
    var delete = run(replyTo -> new DeviceTypeCatalog.DeleteType("nope", T1, replyTo));

    for (var result : List.of(get, update, delete)) {
      assertTrue(result.hasNoEvents());
      assertEquals(Rejection.NOT_FOUND, ((Reply.Rejected) result.reply()).reason());
    }
  }

  @Test
  void aDeletedTypeIsGoneAndMayBeCreatedAgain() {
    create("thermo", "Device");

    assertEquals(
        new Reply.Done(),
        run(replyTo -> new DeviceTypeCatalog.DeleteType("thermo", T1, replyTo)).reply());

    assertEquals(
        Rejection.NOT_FOUND,
        ((Reply.Rejected) run(replyTo -> new DeviceTypeCatalog.GetType("thermo", replyTo)).reply())
            .reason());
    assertTrue(create("thermo", "Gateway").reply() instanceof Reply.DeviceTypeInfo);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          DeviceTypeCatalog.Command, DeviceTypeCatalog.Event, DeviceTypeCatalog.State, Reply>
      create(String id, String classId) {
    return run(
        replyTo ->
            new DeviceTypeCatalog.CreateType(
                new DeviceTypeCatalog.TypeCreated(id, classId, "a type", info("M1"), null, T0),
                replyTo));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          DeviceTypeCatalog.Command, DeviceTypeCatalog.Event, DeviceTypeCatalog.State, Reply>
      run(Function<ActorRef<Reply>, DeviceTypeCatalog.Command> command) {
    return catalog.runCommand(command::apply);
  }

  private static ObjectNode info(String model) {
    return JsonNodeFactory.instance.objectNode().put("model", model);
  }
}
