package io.entwine.mgmt;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.entwine.entity.CommandTable;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.entity.EventTable;
import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionOutcome;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The device management requests of one organization (IBM Watson IoT Platform API v0002
 * documentation, Device Management requests): each names an action, its parameters and up to {@link
 * #MAX_DEVICES} devices, and holds each device's outcome with IBM's return code. Durable: a request
 * survives restarts and moves, and after recovery every device without an outcome is told to start
 * again (a {@link ManagedDevice} does not start the same request twice). At most {@link
 * #MAX_REQUESTS} are kept; the oldest complete one makes room.
 *
 * <p>A device whose part has not ended {@code entwine.mgmt.request-timeout} after the request was
 * made ends with {@link #TIMED_OUT}, and its {@link ManagedDevice} is told to drop the action. The
 * deadline is checked by a timer while the entity lives and before every answer, so a request whose
 * entity was stopped (a restart, a move, passivation) shows it the first time it is read again.
 */
public final class ActionRequests
    extends EventSourcedEntity<
        ActionRequests, ActionRequests.Command, ActionRequests.Event, ActionRequests.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "ActionRequests");

  public static final int MAX_DEVICES = 5000;
  public static final int MAX_REQUESTS = 100;

  /** The return code of a device that did not end its part in time (HTTP's Request Timeout). */
  public static final int TIMED_OUT = 408;

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /**
   * Persists {@code request}: {@link Reply.ManagementView} of the request, or LIMIT_EXCEEDED when
   * none can make room. The event's fields are written beside {@code replyTo} ({@link
   * JsonUnwrapped}), the form the command had when it listed them itself.
   */
  public record Initiate(@JsonUnwrapped RequestInitiated request, ActorRef<Reply> replyTo)
      implements Command {}

  /** A device's part ended. Not answered. */
  public record DeviceFinished(ActionOutcome outcome, String org, String typeId, String deviceId)
      implements Command {}

  /** {@link Reply.ManagementView} of the request, or NOT_FOUND. */
  public record Get(String requestId, ActorRef<Reply> replyTo) implements Command {}

  /** {@link Reply.ManagementView}: the devices' statuses, or NOT_FOUND. */
  public record GetDeviceStatus(String requestId, ActorRef<Reply> replyTo) implements Command {}

  /** {@link Reply.ManagementView}: every request, oldest first. */
  public record ListRequests(ActorRef<Reply> replyTo) implements Command {}

  /** Done or NOT_FOUND: the request and its statuses are forgotten. */
  public record Clear(String requestId, ActorRef<Reply> replyTo) implements Command {}

  /** The entity's own timer: devices past their request's deadline time out. Not answered. */
  public record CheckDeadlines() implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record RequestInitiated(
      String requestId,
      String action,
      Map<String, String> parameters,
      List<DeviceKey> devices,
      Instant at)
      implements Event {}

  public record DeviceOutcomeRecorded(
      String requestId, String typeId, String deviceId, ActionOutcome outcome) implements Event {}

  public record RequestCleared(String requestId) implements Event {}

  // ---- state ----

  /** One request: the devices in order, each with its outcome once known. */
  public record Request(
      String id,
      String action,
      Map<String, String> parameters,
      Instant created,
      Instant updated,
      Map<String, ActionOutcome> outcomes,
      List<DeviceKey> devices)
      implements CborSerializable {
    boolean complete() {
      return outcomes.size() == devices.size();
    }
  }

  /** Request id → request, oldest first; immutable. */
  public record State(Map<String, Request> requests) implements CborSerializable {
    public static final State EMPTY = new State(Map.of());

    public State {
      requests = requests == null ? Map.of() : requests;
    }

    public State apply(Event event) {
      return CHANGES.apply(null, this, event);
    }

    private static final EventTable<Void, State, Event> CHANGES =
        EventTable.<Void, State, Event>of(Event.class)
            .on(RequestInitiated.class, (none, state, initiated) -> state.initiated(initiated))
            .on(DeviceOutcomeRecorded.class, (none, state, recorded) -> state.recorded(recorded))
            .on(RequestCleared.class, (none, state, cleared) -> state.without(cleared.requestId()))
            .build();

    private State initiated(RequestInitiated i) {
      Map<String, Request> next = new LinkedHashMap<>(requests);
      if (next.size() >= MAX_REQUESTS) {
        next.values().stream()
            .filter(Request::complete)
            .findFirst()
            .ifPresent(oldest -> next.remove(oldest.id()));
      }
      next.put(
          i.requestId(),
          new Request(
              i.requestId(), i.action(), i.parameters(), i.at(), i.at(), Map.of(), i.devices()));
      return new State(next);
    }

    private State recorded(DeviceOutcomeRecorded r) {
      Request request = requests.get(r.requestId());
      Map<String, ActionOutcome> outcomes = new LinkedHashMap<>(request.outcomes());
      outcomes.put(r.typeId() + "/" + r.deviceId(), r.outcome());
      Map<String, Request> next = new LinkedHashMap<>(requests);
      next.put(
          request.id(),
          new Request(
              request.id(),
              request.action(),
              request.parameters(),
              request.created(),
              r.outcome().at(),
              outcomes,
              request.devices()));
      return new State(next);
    }

    private State without(String requestId) {
      Map<String, Request> next = new LinkedHashMap<>(requests);
      next.remove(requestId);
      return new State(next);
    }

    boolean full() {
      return requests.size() >= MAX_REQUESTS
          && requests.values().stream().noneMatch(Request::complete);
    }
  }

  // ---- wiring ----

  private final ClusterSharding sharding;
  private final RequestDeadlines deadlines;

  public static void init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Duration timeout = system.settings().config().getDuration("entwine.mgmt.request-timeout");
    sharding.init(
        Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), sharding, timeout)));
  }

  public static Behavior<Command> create(
      String org, ClusterSharding sharding, Duration requestTimeout) {
    return Behaviors.withTimers(
        timers -> new ActionRequests(org, sharding, requestTimeout, timers));
  }

  private ActionRequests(
      String org,
      ClusterSharding sharding,
      Duration requestTimeout,
      TimerScheduler<Command> timers) {
    super(ENTITY_KEY, org);
    this.sharding = sharding;
    this.deadlines = new RequestDeadlines(org, sharding, requestTimeout, timers);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return State::apply;
  }

  @Override
  protected CommandTable<ActionRequests, Command, Event, State> commandTable() {
    return HANDLERS;
  }

  /** After recovery, the devices of unfinished requests are told again (they ignore repeats). */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::startUnfinished)
        .build();
  }

  private void startUnfinished(State state) {
    Instant now = Instant.now();
    state.requests().values().stream()
        .filter(request -> !deadlines.overdue(request, now))
        .forEach(this::startUnfinished);
    deadlines.watch(state); // the overdue ones time out at once
  }

  private void startUnfinished(Request request) {
    for (DeviceKey device : request.devices()) {
      if (!request.outcomes().containsKey(device.type() + "/" + device.id())) {
        sharding
            .entityRefFor(ManagedDevice.ENTITY_KEY, device.entityId())
            .tell(
                new ManagedDeviceProtocol.Start(
                    request.id(), request.action(), request.parameters(), request.created()));
      }
    }
  }

  private static final EffectFactories<Event, State> EFFECT = new EffectFactories<>();

  private static final CommandTable<ActionRequests, Command, Event, State> HANDLERS =
      CommandTable.<ActionRequests, Command, Event, State>of(Command.class)
          .on(Initiate.class, ActionRequests::onInitiate)
          .on(DeviceFinished.class, ActionRequests::onDeviceFinished)
          .on(Get.class, ActionRequests::onGet)
          .on(GetDeviceStatus.class, ActionRequests::onGetDeviceStatus)
          .on(ListRequests.class, ActionRequests::onList)
          .on(Clear.class, ActionRequests::onClear)
          .on(CheckDeadlines.class, ActionRequests::onCheckDeadlines)
          .build();

  private static ReplyEffect<Event, State> onInitiate(
      ActionRequests entity, State state, Initiate initiate) {
    String requestId = initiate.request().requestId();
    if (state.requests().containsKey(requestId)) {
      return EFFECT.reply(initiate.replyTo(), RequestViews.view(state.requests().get(requestId)));
    }
    if (state.full()) {
      return EFFECT.reply(
          initiate.replyTo(),
          new Reply.Rejected(
              Rejection.LIMIT_EXCEEDED,
              MAX_REQUESTS + " requests are in progress; clear or wait for one"));
    }
    // Overdue devices are dropped first, so a device still busy with a request that timed out
    // while this entity was stopped is free for the new one (messages to it arrive in order).
    List<Event> events = new ArrayList<>(entity.deadlines.timedOut(state, initiate.request().at()));
    events.add(initiate.request());
    return EFFECT
        .persist(events)
        .thenRun(
            after -> {
              entity.deadlines.abandon(events);
              entity.startUnfinished(after.requests().get(requestId));
              entity.deadlines.watch(after);
            })
        .thenReply(initiate.replyTo(), after -> RequestViews.view(after.requests().get(requestId)));
  }

  private static ReplyEffect<Event, State> onDeviceFinished(
      ActionRequests entity, State state, DeviceFinished finished) {
    Request request = state.requests().get(finished.outcome().requestId());
    String device = finished.typeId() + "/" + finished.deviceId();
    if (request == null || request.outcomes().containsKey(device)) {
      return EFFECT.noReply(); // cleared, or told twice
    }
    return EFFECT
        .persist(
            new DeviceOutcomeRecorded(
                request.id(), finished.typeId(), finished.deviceId(), finished.outcome()))
        .thenNoReply();
  }

  private static ReplyEffect<Event, State> onGet(ActionRequests entity, State state, Get get) {
    return entity.answerAfterDeadlines(
        state,
        get.replyTo(),
        now -> {
          Request request = now.requests().get(get.requestId());
          return request == null
              ? RequestViews.notFound(get.requestId())
              : RequestViews.view(request);
        });
  }

  private static ReplyEffect<Event, State> onGetDeviceStatus(
      ActionRequests entity, State state, GetDeviceStatus get) {
    return entity.answerAfterDeadlines(
        state,
        get.replyTo(),
        now -> RequestViews.deviceStatus(now.requests().get(get.requestId()), get.requestId()));
  }

  private static ReplyEffect<Event, State> onList(
      ActionRequests entity, State state, ListRequests list) {
    return entity.answerAfterDeadlines(
        state, list.replyTo(), now -> RequestViews.list(now.requests().values()));
  }

  private static ReplyEffect<Event, State> onCheckDeadlines(
      ActionRequests entity, State state, CheckDeadlines check) {
    List<Event> timedOut = entity.deadlines.timedOut(state, Instant.now());
    if (timedOut.isEmpty()) {
      entity.deadlines.watch(state);
      return EFFECT.noReply();
    }
    return EFFECT
        .persist(timedOut)
        .thenRun(
            after -> {
              entity.deadlines.abandon(timedOut);
              entity.deadlines.watch(after);
            })
        .thenNoReply();
  }

  // ---- deadlines ----

  /** Answers from the state after the overdue devices timed out (persisted first, if any). */
  private ReplyEffect<Event, State> answerAfterDeadlines(
      State state, ActorRef<Reply> replyTo, Function<State, Reply> answer) {
    List<Event> timedOut = deadlines.timedOut(state, Instant.now());
    if (timedOut.isEmpty()) {
      return EFFECT.reply(replyTo, answer.apply(state));
    }
    return EFFECT
        .persist(timedOut)
        .thenRun(after -> deadlines.abandon(timedOut))
        .thenReply(replyTo, answer::apply);
  }

  private static ReplyEffect<Event, State> onClear(
      ActionRequests entity, State state, Clear clear) {
    if (!state.requests().containsKey(clear.requestId())) {
      return EFFECT.reply(clear.replyTo(), RequestViews.notFound(clear.requestId()));
    }
    return EFFECT
        .persist(new RequestCleared(clear.requestId()))
        .thenReply(clear.replyTo(), after -> new Reply.Done());
  }
}
