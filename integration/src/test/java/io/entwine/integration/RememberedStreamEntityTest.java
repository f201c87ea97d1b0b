package io.entwine.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.entwine.entity.CommandTable;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The lifecycle every remembered stream entity shares, on a minimal entity of that kind. */
class RememberedStreamEntityTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "remembered-stream-entity",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  sealed interface Command {}

  record Create(String id, ActorRef<Reply> replyTo) implements Command {}

  record Get(ActorRef<Reply> replyTo)
      implements Command, RememberedStreamEntity.GetCommand<Reply> {}

  record Delete(Instant at, ActorRef<Reply> replyTo)
      implements Command, RememberedStreamEntity.DeleteCommand<Reply> {}

  record StopIfEmpty() implements Command {}

  sealed interface Event {}

  record Created(String id) implements Event {}

  record Deleted() implements Event {}

  record State(String id, boolean deleted) implements RememberedStreamEntity.Lifecycle {
    @Override
    public boolean exists() {
      return id != null && !deleted;
    }

    @Override
    public String createdId() {
      return id;
    }
  }

  sealed interface Reply {}

  record Found(String id) implements Reply {}

  record Done() implements Reply {}

  record Rejected(Rejection reason, String message) implements Reply {}

  /** How often the entity started and stopped its stream. */
  static final class Runs {
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger stops = new AtomicInteger();
  }

  static final class Thing extends RememberedStreamEntity<Thing, Command, Event, State, Reply> {
    static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Thing");
    private static final CommandTable<Thing, Command, Event, State> HANDLERS =
        CommandTable.<Thing, Command, Event, State>of(Command.class)
            .on(StopIfEmpty.class, Thing::onStopIfEmpty)
            .on(Create.class, Thing::onCreate)
            .on(Get.class, Thing::onGet)
            .on(Delete.class, Thing::onDelete)
            .build();
    private static final Kind<Thing, Command, Event, State, Reply> KIND =
        new Kind<>(
            "thing",
            new StopIfEmpty(),
            Rejected::new,
            new Done(),
            new State(null, false),
            HANDLERS,
            state -> new Found(state.id()),
            at -> new Deleted());

    private final Runs runs;
    private boolean running;

    Thing(
        String entityId,
        ActorRef<ClusterSharding.ShardCommand> shard,
        ActorContext<Command> context,
        Runs runs) {
      super(KEY, KIND, entityId, shard, context);
      this.runs = runs;
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
      return (state, event) ->
          event instanceof Created created
              ? new State(created.id(), false)
              : new State(state.id(), true);
    }

    private ReplyEffect<Event, State> onCreate(State state, Create create) {
      return create(state, create.replyTo(), new Created(create.id()));
    }

    @Override
    protected void startStream(State state) {
      running = true;
      runs.starts.incrementAndGet();
    }

    @Override
    protected void stopStream() {
      if (running) {
        running = false;
        runs.stops.incrementAndGet();
      }
    }
  }

  private static EventSourcedBehaviorTestKit<Command, Event, State> thing(
      String id, TestProbe<ClusterSharding.ShardCommand> shard, Runs runs) {
    Behavior<Command> behavior =
        Behaviors.setup(context -> new Thing(id, shard.ref(), context, runs));
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), behavior, EventSourcedBehaviorTestKit.disabledSerializationSettings());
  }

  @Test
  void startsItsStreamOnCreationAndRecoveryAndStopsAndLeavesOnDeletion() {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    Runs runs = new Runs();
    EventSourcedBehaviorTestKit<Command, Event, State> thing = thing("org/a", shard, runs);
    // recovered without a configuration, it leaves unless a create came first
    shard.expectMessageClass(ClusterSharding.Passivate.class);

    assertEquals(
        new Found("a"), thing.<Reply>runCommand(replyTo -> new Create("a", replyTo)).reply());
    assertEquals(1, runs.starts.get());
    assertEquals(
        new Rejected(Rejection.ALREADY_EXISTS, "Thing 'a' exists or existed"),
        thing.<Reply>runCommand(replyTo -> new Create("a", replyTo)).reply());

    thing.restart();
    assertEquals(2, runs.starts.get());
    thing.runCommand(new StopIfEmpty());
    shard.expectNoMessage();

    int stopsBefore = runs.stops.get();
    assertEquals(
        new Done(), thing.<Reply>runCommand(replyTo -> new Delete(Instant.EPOCH, replyTo)).reply());
    assertEquals(stopsBefore + 1, runs.stops.get());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(
        new Rejected(Rejection.NOT_FOUND, "No such thing"),
        thing.<Reply>runCommand(Get::new).reply());
    assertEquals(
        new Rejected(Rejection.ALREADY_EXISTS, "Thing 'a' exists or existed"),
        thing.<Reply>runCommand(replyTo -> new Create("a", replyTo)).reply());
  }
}
