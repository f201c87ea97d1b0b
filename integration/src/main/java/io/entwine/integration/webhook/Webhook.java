package io.entwine.integration.webhook;

import io.entwine.entity.CommandTable;
import io.entwine.entity.EventTable;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.RememberedStreamEntity;
import io.entwine.protocol.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook: its configuration, read offsets and pause (event-sourced) and, while it exists and
 * is not paused, its running {@link WebhookStream} and in-memory {@link WebhookActivity}. A sharded
 * entity with remember-entities keyed {@code org/id}, like an MQTT bridge (ADR 0032): exactly one
 * delivers per webhook in the cluster, and when its node leaves, sharding starts it on another
 * node, which continues from the persisted offsets. See ADR 0054; what it shares with a bridge
 * lives in {@link RememberedStreamEntity} (ADR 0067).
 */
public final class Webhook
    extends RememberedStreamEntity<
        Webhook, Webhook.Command, Webhook.Event, Webhook.State, WebhookReply> {
  private static final Logger log = LoggerFactory.getLogger(Webhook.class);

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Webhook");

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  public record Create(WebhookConfig config, Instant at, ActorRef<WebhookReply> replyTo)
      implements Command {}

  /** Replaces the configuration and resumes a paused webhook. */
  public record Update(WebhookConfig config, Instant at, ActorRef<WebhookReply> replyTo)
      implements Command {}

  /** {@link WebhookReply.Found}, or NOT_FOUND. */
  public record Get(ActorRef<WebhookReply> replyTo)
      implements Command, RememberedStreamEntity.GetCommand<WebhookReply> {}

  /** {@link WebhookReply.Status}, or NOT_FOUND. */
  public record GetStatus(ActorRef<WebhookReply> replyTo) implements Command {}

  public record Delete(Instant at, ActorRef<WebhookReply> replyTo)
      implements Command, RememberedStreamEntity.DeleteCommand<WebhookReply> {}

  /** From the stream on this node; never crosses the network. */
  record StreamReport(int generation, WebhookStream.Report report) implements Command {}

  /** From the stream on this node: a group is done. */
  record StreamProgress(int generation, WebhookStream.Progress progress) implements Command {}

  /** Sent to itself a while after the stream failed. */
  record RestartStream(int generation) implements Command {}

  /** Sent to itself after recovery: an entity with no webhook leaves the remembered entities. */
  record StopIfEmpty() implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record WebhookCreated(WebhookConfig config, Instant at) implements Event {}

  public record WebhookUpdated(WebhookConfig config, Instant at) implements Event {}

  /** Messages up to these offsets (slice tag → time-based UUID) were delivered or skipped. */
  public record OffsetsAdvanced(Map<String, String> offsets) implements Event {}

  public record WebhookPaused(String reason, Instant at) implements Event {}

  public record WebhookDeleted(Instant at) implements Event {}

  // ---- state ----

  /** {@code paused} is null unless paused; {@code offsets} only grow until the webhook goes. */
  public record State(
      WebhookConfig config,
      Instant created,
      Instant updated,
      Map<String, String> offsets,
      String paused,
      boolean deleted)
      implements CborSerializable, Lifecycle {
    static final State EMPTY = new State(null, null, null, Map.of(), null, false);

    public State {
      offsets = offsets == null ? Map.of() : offsets;
    }

    @Override
    public boolean exists() {
      return config != null && !deleted;
    }

    @Override
    public String createdId() {
      return config == null ? null : config.id();
    }

    State advanced(Map<String, String> advanced) {
      Map<String, String> merged = new HashMap<>(offsets);
      merged.putAll(advanced);
      return new State(config, created, updated, Map.copyOf(merged), paused, deleted);
    }
  }

  // ---- wiring ----

  /** What a running webhook needs on every node. */
  public record Services(WebhookSender sender, WebhookSettings settings) {}

  static void init(ActorSystem<?> system, Services services) {
    initRemembered(
        system,
        ENTITY_KEY,
        (entityId, shard, context) -> new Webhook(entityId, shard, services, context));
  }

  private final Services services;
  private final WebhookActivity activity = new WebhookActivity();
  private Instant pendingSince;
  private Instant offsetsPersistedAt = Instant.EPOCH;
  // Offsets read past while no message matched, not yet persisted (idle-offset-interval).
  private Map<String, String> unsavedOffsets = Map.of();
  private WebhookStream running;
  private int generation;

  private Webhook(
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Services services,
      ActorContext<Command> context) {
    super(ENTITY_KEY, KIND, entityId, shard, context);
    this.services = services;
  }

  private static final CommandTable<Webhook, Command, Event, State> HANDLERS =
      CommandTable.<Webhook, Command, Event, State>of(Command.class)
          .on(StreamReport.class, Webhook::onStreamReport)
          .on(StreamProgress.class, Webhook::onStreamProgress)
          .on(RestartStream.class, Webhook::onRestartStream)
          .on(StopIfEmpty.class, Webhook::onStopIfEmpty)
          .on(Create.class, Webhook::onCreate)
          .on(Update.class, Webhook::onUpdate)
          .on(Get.class, Webhook::onGet)
          .on(GetStatus.class, Webhook::onGetStatus)
          .on(Delete.class, Webhook::onDelete)
          .build();

  private static final Kind<Webhook, Command, Event, State, WebhookReply> KIND =
      new Kind<>(
          "webhook",
          new StopIfEmpty(),
          WebhookReply.Rejected::new,
          new WebhookReply.Done(),
          State.EMPTY,
          HANDLERS,
          Webhook::found,
          WebhookDeleted::new);

  private ReplyEffect<Event, State> onStreamReport(State state, StreamReport report) {
    if (report.generation() != generation) {
      return Effect().noReply();
    }
    WebhookStream.Report what = report.report();
    if (what instanceof WebhookStream.Pending pending) {
      pendingSince = pending.since();
    } else if (what instanceof WebhookStream.AttemptFailed failed) {
      activity.attemptFailed(failed.at(), failed.error(), failed.retrying());
    } else if (what instanceof WebhookStream.PauseRequested pause && state.exists()) {
      log.warn("Webhook {} of {} paused: {}", state.config().id(), state.config().org(), pause);
      return Effect()
          .persist(new WebhookPaused(pause.reason(), Timestamps.now()))
          .thenRun(after -> stopStream())
          .thenNoReply();
    } else if (what instanceof WebhookStream.Ended ended) {
      running = null;
      pendingSince = null;
      if (ended.error() != null && state.exists() && state.paused() == null) {
        activity.attemptFailed(Timestamps.now(), ended.error(), true);
        context()
            .scheduleOnce(
                services.settings().retry().minBackoff(),
                context().getSelf(),
                new RestartStream(generation));
      }
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onStreamProgress(State state, StreamProgress report) {
    WebhookStream.Progress progress = report.progress();
    if (report.generation() != generation || !state.exists()) {
      return Effect().reply(progress.replyTo(), Done.done());
    }
    pendingSince = null;
    if (progress.delivered() > 0) {
      activity.deliveredBatch(progress.delivered(), progress.lastSuccess());
    }
    if (progress.skipped() > 0) {
      activity.skippedBatch(progress.skipped());
    }
    Instant now = Timestamps.now();
    boolean idle = progress.delivered() == 0 && progress.skipped() == 0;
    if (idle
        && Duration.between(offsetsPersistedAt, now)
                .compareTo(services.settings().idleOffsetInterval())
            < 0) {
      Map<String, String> merged = new HashMap<>(unsavedOffsets);
      merged.putAll(progress.offsets());
      unsavedOffsets = Map.copyOf(merged);
      return Effect().reply(progress.replyTo(), Done.done());
    }
    offsetsPersistedAt = now;
    unsavedOffsets = Map.of();
    return Effect()
        .persist(new OffsetsAdvanced(progress.offsets()))
        .thenReply(progress.replyTo(), after -> Done.done());
  }

  private ReplyEffect<Event, State> onRestartStream(State state, RestartStream restart) {
    if (restart.generation() == generation && running == null && runsNow(state)) {
      startStream(state);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onGetStatus(State state, GetStatus get) {
    return replyIfExists(state, get.replyTo(), this::currentStatus);
  }

  private WebhookReply currentStatus(State state) {
    double lag =
        pendingSince == null
            ? 0
            : Math.max(0, Duration.between(pendingSince, Timestamps.now()).toMillis() / 1000.0);
    return new WebhookReply.Status(state.config().id(), activity.status(state.paused(), lag));
  }

  private ReplyEffect<Event, State> onCreate(State state, Create create) {
    return create(state, create.replyTo(), new WebhookCreated(create.config(), create.at()));
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update update) {
    if (!state.exists()) {
      return Effect().reply(update.replyTo(), notFound());
    }
    return Effect()
        .persist(new WebhookUpdated(update.config(), update.at()))
        .thenRun(
            after -> {
              stopStream();
              startStream(after);
            })
        .thenReply(update.replyTo(), Webhook::found);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) -> CHANGES.apply(null, state, event);
  }

  private static final EventTable<Void, State, Event> CHANGES =
      EventTable.<Void, State, Event>of(Event.class)
          .on(
              WebhookCreated.class,
              (none, state, created) ->
                  new State(created.config(), created.at(), created.at(), Map.of(), null, false))
          // an update resumes a paused webhook
          .on(
              WebhookUpdated.class,
              (none, state, updated) ->
                  new State(
                      updated.config(),
                      state.created(),
                      updated.at(),
                      state.offsets(),
                      null,
                      false))
          .on(OffsetsAdvanced.class, (none, state, advanced) -> state.advanced(advanced.offsets()))
          .on(
              WebhookPaused.class,
              (none, state, paused) ->
                  new State(
                      state.config(),
                      state.created(),
                      state.updated(),
                      state.offsets(),
                      paused.reason(),
                      false))
          .on(
              WebhookDeleted.class,
              (none, state, deleted) ->
                  new State(
                      state.config(),
                      state.created(),
                      deleted.at(),
                      state.offsets(),
                      state.paused(),
                      true))
          .build();

  /** A paused webhook exists but delivers nothing until it is updated. */
  @Override
  protected boolean runsNow(State state) {
    return state.exists() && state.paused() == null;
  }

  @Override
  protected void startStream(State state) {
    generation++;
    Map<String, String> offsets = new HashMap<>(state.offsets());
    offsets.putAll(unsavedOffsets);
    running =
        WebhookStream.run(
            state.config(),
            offsets,
            state.created(),
            services.settings(),
            services.sender(),
            context().getSelf(),
            generation,
            context().getSystem());
  }

  @Override
  protected void stopStream() {
    if (running != null) {
      running.stop();
      running = null;
    }
  }

  private static WebhookReply found(State state) {
    return new WebhookReply.Found(state.config(), state.created(), state.updated(), state.paused());
  }
}
