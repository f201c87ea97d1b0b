package io.entwine.integration;

import io.entwine.entity.CommandTable;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.entity.EventTable;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One ThingsBoard-style HTTP integration, keyed by its routing key: a sender's request names the
 * routing key, so finding the integration is one ask to this sharded entity from any node, and a
 * change or deletion holds for the very next request. Also keeps the last debug events of its
 * converters while debug is on.
 */
public final class Integration
    extends EventSourcedEntity<
        Integration, Integration.Command, Integration.Event, Integration.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Integration");

  /** Debug events kept per converter (uplink, downlink). */
  public static final int DEBUG_EVENTS_PER_CONVERTER = 20;

  /**
   * What the API sets. {@code securityHeaders} maps header names (lower case) to their expected
   * values, encrypted with the cluster key; {@code downlinkScript} is null without a downlink
   * converter.
   */
  public record Settings(
      String org,
      String id,
      String name,
      String type,
      String uplinkScript,
      String downlinkScript,
      boolean allowCreateDevices,
      Map<String, String> securityHeaders,
      boolean replaceNoContentWithOk,
      boolean debug) {
    public Settings {
      securityHeaders = securityHeaders == null ? Map.of() : Map.copyOf(securityHeaders);
    }
  }

  /**
   * A converter run as debug shows it: {@code converter} is {@code uplink} or {@code downlink};
   * {@code in} what went in, {@code out} what came out, {@code error} why it failed (else null).
   */
  public record DebugEvent(String converter, Instant at, String in, String out, String error) {}

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  public record Create(Settings settings, Instant at, ActorRef<IntegrationReply> replyTo)
      implements Command {}

  /** Replaces the settings; refused unless the integration belongs to {@code settings.org()}. */
  public record Update(Settings settings, Instant at, ActorRef<IntegrationReply> replyTo)
      implements Command {}

  public record Delete(String org, Instant at, ActorRef<IntegrationReply> replyTo)
      implements Command {}

  /** {@link IntegrationReply.Found}, or NOT_FOUND. */
  public record Get(ActorRef<IntegrationReply> replyTo) implements Command {}

  /** Kept only while debug is on; nobody waits for it. */
  public record RecordDebug(DebugEvent event) implements Command {}

  public record GetDebugEvents(String org, ActorRef<IntegrationReply> replyTo) implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record Created(Settings settings, Instant at) implements Event {}

  public record Updated(Settings settings, Instant at) implements Event {}

  public record Deleted(Instant at) implements Event {}

  public record DebugRecorded(DebugEvent event) implements Event {}

  // ---- state ----

  public record State(
      Settings settings, Instant created, Instant updated, List<DebugEvent> debugEvents)
      implements CborSerializable {
    static final State EMPTY = new State(null, null, null, List.of());

    public State {
      debugEvents = debugEvents == null ? List.of() : debugEvents;
    }

    boolean exists() {
      return settings != null;
    }

    /** Keeps the newest {@link #DEBUG_EVENTS_PER_CONVERTER} of each converter. */
    State withDebugEvent(DebugEvent event) {
      List<DebugEvent> kept = new ArrayList<>(debugEvents);
      kept.add(event);
      long ofConverter = kept.stream().filter(e -> e.converter().equals(event.converter())).count();
      if (ofConverter > DEBUG_EVENTS_PER_CONVERTER) {
        for (int i = 0; i < kept.size(); i++) {
          if (kept.get(i).converter().equals(event.converter())) {
            kept.remove(i);
            break;
          }
        }
      }
      return new State(settings, created, updated, List.copyOf(kept));
    }
  }

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId())));
  }

  public static Behavior<Command> create(String routingKey) {
    return new Integration(routingKey);
  }

  private final String routingKey;

  private Integration(String routingKey) {
    super(ENTITY_KEY, routingKey);
    this.routingKey = routingKey;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  protected CommandTable<Integration, Command, Event, State> commandTable() {
    return HANDLERS;
  }

  private static final CommandTable<Integration, Command, Event, State> HANDLERS =
      CommandTable.<Integration, Command, Event, State>of(Command.class)
          .on(Get.class, Integration::onGet)
          .on(RecordDebug.class, Integration::onRecordDebug)
          .on(Create.class, Integration::onCreate)
          .on(Update.class, Integration::onUpdate)
          .on(Delete.class, Integration::onDelete)
          .on(GetDebugEvents.class, Integration::onGetDebugEvents)
          .build();

  private ReplyEffect<Event, State> onGet(State state, Get get) {
    return Effect().reply(get.replyTo(), state.exists() ? found(state) : notFound());
  }

  private ReplyEffect<Event, State> onRecordDebug(State state, RecordDebug debug) {
    return state.exists() && state.settings().debug()
        ? Effect().persist(new DebugRecorded(debug.event())).thenNoReply()
        : Effect().noReply();
  }

  private ReplyEffect<Event, State> onCreate(State state, Create create) {
    return state.exists()
        ? Effect()
            .reply(
                create.replyTo(),
                new IntegrationReply.Rejected(
                    Rejection.ALREADY_EXISTS, "The routing key is taken; create again"))
        : Effect()
            .persist(new Created(create.settings(), create.at()))
            .thenReply(create.replyTo(), this::found);
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update update) {
    return ownedBy(state, update.settings().org())
        ? Effect()
            .persist(new Updated(update.settings(), update.at()))
            .thenReply(update.replyTo(), this::found)
        : Effect().reply(update.replyTo(), notFound());
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete delete) {
    return ownedBy(state, delete.org())
        ? Effect()
            .persist(new Deleted(delete.at()))
            .thenReply(delete.replyTo(), after -> new IntegrationReply.Done())
        : Effect().reply(delete.replyTo(), notFound());
  }

  private ReplyEffect<Event, State> onGetDebugEvents(State state, GetDebugEvents get) {
    return Effect()
        .reply(
            get.replyTo(),
            ownedBy(state, get.org())
                ? new IntegrationReply.DebugEvents(state.debugEvents())
                : notFound());
  }

  private static boolean ownedBy(State state, String org) {
    return state.exists() && state.settings().org().equals(org);
  }

  private IntegrationReply found(State state) {
    return new IntegrationReply.Found(
        routingKey, state.settings(), state.created(), state.updated());
  }

  private static IntegrationReply.Rejected notFound() {
    return new IntegrationReply.Rejected(Rejection.NOT_FOUND, "No such integration");
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) -> CHANGES.apply(null, state, event);
  }

  private static final EventTable<Void, State, Event> CHANGES =
      EventTable.<Void, State, Event>of(Event.class)
          .on(
              DebugRecorded.class,
              (none, state, recorded) -> state.withDebugEvent(recorded.event()))
          .on(
              Created.class,
              (none, state, created) ->
                  new State(created.settings(), created.at(), created.at(), List.of()))
          // Debug events of the previous scripts would mislead; a change starts a fresh log.
          .on(
              Updated.class,
              (none, state, updated) ->
                  new State(updated.settings(), state.created(), updated.at(), List.of()))
          .on(Deleted.class, (none, state, deleted) -> State.EMPTY)
          .build();
}
