package io.entwine.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The table answers as text, so that a test sees what it told its replies. */
class ClaimEntityTest {
  /** Answers as text, so that a test sees what the table told its replies. */
  private static final ClaimTable<String, String> TABLE =
      new ClaimTable<>(
          "ClaimEntityTest",
          key -> key,
          ClaimTable.NO_LIMIT,
          new ClaimReplies<>(
              "done",
              (tableId, claims) -> tableId + " " + claims,
              (tableId, claims) -> "full " + tableId + " " + claims));

  private static ActorTestKit testKit;

  private EventSourcedBehaviorTestKit<ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State>
      table;

  @BeforeAll
  static void startSystem() {
    testKit =
        ActorTestKit.create(
            "ClaimEntityTest",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void emptyTable() {
    table = EventSourcedBehaviorTestKit.create(testKit.system(), TABLE.create("org/t-1"));
    table.clear();
  }

  @Test
  void claimOfAFreeKeyPersistsClaimedWithItsValue() {
    var result = run(TABLE.claim("k1", "v1", 1));

    assertEquals(List.of(new ClaimEntity.Claimed("k1", "v1")), result.events());
    assertEquals("done", result.reply());
    assertEquals("org/t-1 {k1=v1}", run(TABLE.lookup()).reply());
  }

  @Test
  void claimOfAHeldKeyIsDoneAndKeepsTheFirstValue() {
    run(TABLE.claim("k1", "v1", 1));

    var again = run(TABLE.claim("k1", "v2", 1));

    assertTrue(again.hasNoEvents());
    assertEquals("done", again.reply());
    assertEquals(Map.of("k1", "v1"), table.getState().claims());
  }

  @Test
  void claimBeyondTheLimitIsRefusedWithTheHeldKeysAndPersistsNothing() {
    run(TABLE.claim("k2", "", 2));
    run(TABLE.claim("k1", "", 2));

    var refused = run(TABLE.claim("k3", "", 2));

    assertTrue(refused.hasNoEvents());
    assertEquals("full org/t-1 {k1=, k2=}", refused.reply());
  }

  @Test
  void releaseFreesAHeldKeyForAnotherClaim() {
    run(TABLE.claim("k1", "", 1));

    var released = run(TABLE.release("k1"));

    assertEquals(List.of(new ClaimEntity.Released("k1")), released.events());
    assertEquals("done", released.reply());
    assertEquals("done", run(TABLE.claim("k2", "", 1)).reply());
    assertEquals(Map.of("k2", ""), table.getState().claims());
  }

  @Test
  void releaseOfAKeyNotHeldIsDoneAndPersistsNothing() {
    run(TABLE.claim("k1", "", 1));

    var released = run(TABLE.release("other"));

    assertTrue(released.hasNoEvents());
    assertEquals("done", released.reply());
  }

  @Test
  void lookupListsTheKeysInOrder() {
    for (String key : List.of("b", "c", "a")) {
      run(TABLE.claim(key, key.toUpperCase(), ClaimTable.NO_LIMIT));
    }

    assertEquals("org/t-1 {a=A, b=B, c=C}", run(TABLE.lookup()).reply());
  }

  @Test
  void claimsSurviveARestart() {
    run(TABLE.claim("k1", "v1", ClaimTable.NO_LIMIT));
    run(TABLE.claim("k2", "v2", ClaimTable.NO_LIMIT));
    run(TABLE.release("k1"));

    table.restart();

    assertEquals(Map.of("k2", "v2"), table.getState().claims());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State, String>
      run(Function<ActorRef<String>, ClaimEntity.Command> command) {
    return table.runCommand(command::apply);
  }
}
