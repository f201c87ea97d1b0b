package io.entwine.integration.mqtt;

import io.entwine.credentials.Credentials;
import io.entwine.credentials.SecretBox;
import io.entwine.entity.CommandTable;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.DirectoryEntities;
import io.entwine.integration.RememberedEntities;
import io.entwine.integration.UplinkRecorder;
import io.entwine.integration.script.ConverterException;
import io.entwine.integration.script.Converters;
import io.entwine.integration.script.UplinkConverter;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge to an external MQTT broker: its configuration (event-sourced) and, while it exists,
 * its running stream ({@link BridgeStream}) and in-memory {@link BridgeStatus}. A sharded entity
 * with remember-entities (event-sourced store), keyed {@code org/id}: exactly one instance runs in
 * the cluster, and when its node leaves, sharding starts it again on another node, which connects
 * to the broker again. A deleted bridge stops its stream and passivates, which removes it from the
 * remembered entities. See ADR 0032.
 */
public final class MqttBridge
    extends EventSourcedEntity<MqttBridge, MqttBridge.Command, MqttBridge.Event, MqttBridge.State> {
  private static final Logger log = LoggerFactory.getLogger(MqttBridge.class);

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "MqttBridge");

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  public record Create(BridgeConfig config, Instant at, ActorRef<BridgeReply> replyTo)
      implements Command {}

  /** {@link BridgeReply.Found}, or NOT_FOUND. */
  public record Get(ActorRef<BridgeReply> replyTo) implements Command {}

  /** {@link BridgeReply.Status}, or NOT_FOUND. */
  public record GetStatus(ActorRef<BridgeReply> replyTo) implements Command {}

  public record Delete(Instant at, ActorRef<BridgeReply> replyTo) implements Command {}

  /** From the stream on this node; never crosses the network. */
  record StreamReport(BridgeStream.Report report) implements Command {}

  /** Sent to itself after recovery: an entity with no bridge leaves the remembered entities. */
  record StopIfEmpty() implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record BridgeCreated(BridgeConfig config, Instant at) implements Event {}

  public record BridgeDeleted(Instant at) implements Event {}

  // ---- state ----

  public record State(BridgeConfig config, Instant created, boolean deleted)
      implements CborSerializable {
    static final State EMPTY = new State(null, null, false);

    boolean exists() {
      return config != null && !deleted;
    }
  }

  // ---- wiring ----

  /** Services the running bridge needs on every node. */
  public record Services(
      UplinkRecorder recorder,
      Converters converters,
      SecretBox secretBox,
      MqttBridgeSettings settings) {}

  public static String entityId(String org, String id) {
    return DirectoryEntities.entityId(org, id);
  }

  public static void init(ActorSystem<?> system, UplinkRecorder recorder) {
    Services services =
        new Services(
            recorder,
            Converters.get(system),
            Credentials.get(system).secretBox(),
            MqttBridgeSettings.from(system.settings().config()));
    RememberedEntities.init(
        system, ENTITY_KEY, (entityId, shard) -> create(entityId, shard, services));
  }

  public static Behavior<Command> create(
      String entityId, ActorRef<ClusterSharding.ShardCommand> shard, Services services) {
    return Behaviors.setup(context -> new MqttBridge(entityId, shard, services, context));
  }

  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Services services;
  private final ActorContext<Command> context;
  private final ActorRef<BridgeStream.Report> reports;
  private BridgeStatus status = BridgeStatus.STARTING;
  private UniqueKillSwitch running;

  private MqttBridge(
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Services services,
      ActorContext<Command> context) {
    super(ENTITY_KEY, entityId);
    this.shard = shard;
    this.services = services;
    this.context = context;
    this.reports = context.messageAdapter(BridgeStream.Report.class, StreamReport::new);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(PreRestart.instance(), state -> stopStream())
        .onSignal(PostStop.instance(), state -> stopStream())
        .build();
  }

  @Override
  protected CommandTable<MqttBridge, Command, Event, State> commandTable() {
    return HANDLERS;
  }

  private static final CommandTable<MqttBridge, Command, Event, State> HANDLERS =
      CommandTable.<MqttBridge, Command, Event, State>of(Command.class)
          .on(StreamReport.class, MqttBridge::onStreamReport)
          .on(StopIfEmpty.class, MqttBridge::onStopIfEmpty)
          .on(Create.class, MqttBridge::onCreate)
          .on(Get.class, MqttBridge::onGet)
          .on(GetStatus.class, MqttBridge::onGetStatus)
          .on(Delete.class, MqttBridge::onDelete)
          .build();

  private ReplyEffect<Event, State> onStreamReport(State state, StreamReport report) {
    status = updated(status, report.report());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onStopIfEmpty(State state, StopIfEmpty stop) {
    if (!state.exists()) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onGet(State state, Get get) {
    return Effect()
        .reply(
            get.replyTo(),
            state.exists() ? new BridgeReply.Found(state.config(), state.created()) : notFound());
  }

  private ReplyEffect<Event, State> onGetStatus(State state, GetStatus get) {
    return Effect()
        .reply(
            get.replyTo(),
            state.exists() ? new BridgeReply.Status(state.config().id(), status) : notFound());
  }

  private ReplyEffect<Event, State> onCreate(State state, Create create) {
    if (state.config() != null) {
      return Effect()
          .reply(
              create.replyTo(),
              new BridgeReply.Rejected(
                  Rejection.ALREADY_EXISTS,
                  "Bridge '" + state.config().id() + "' exists or existed"));
    }
    return Effect()
        .persist(new BridgeCreated(create.config(), create.at()))
        .thenRun(this::startStream)
        .thenReply(
            create.replyTo(), after -> new BridgeReply.Found(after.config(), after.created()));
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete delete) {
    if (!state.exists()) {
      return Effect().reply(delete.replyTo(), notFound());
    }
    return Effect()
        .persist(new BridgeDeleted(delete.at()))
        .thenRun(
            after -> {
              stopStream();
              shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
            })
        .thenReply(delete.replyTo(), after -> new BridgeReply.Done());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        event instanceof BridgeCreated created
            ? new State(created.config(), created.at(), false)
            : new State(state.config(), state.created(), true);
  }

  private void onRecovered(State state) {
    if (state.exists()) {
      startStream(state);
    } else {
      // after the commands that woke the entity (a Create among them) have been handled
      context.getSelf().tell(new StopIfEmpty());
    }
  }

  private void startStream(State state) {
    BridgeConfig config = state.config();
    String password;
    UplinkConverter converter;
    try {
      password =
          config.sealedPassword() == null
              ? null
              : services.secretBox().decrypt(config.sealedPassword());
      converter = services.converters().uplink(config.uplinkScript());
    } catch (IllegalArgumentException | ConverterException e) {
      log.warn("Bridge {} of {} cannot start: {}", config.id(), config.org(), e.getMessage());
      status = status.disconnected(Timestamps.now(), "Cannot start: " + e.getMessage());
      return;
    }
    running =
        BridgeStream.run(
            config,
            password,
            converter,
            services.converters(),
            services.recorder(),
            services.settings(),
            reports,
            context.getSystem());
  }

  private void stopStream() {
    if (running != null) {
      running.shutdown();
      running = null;
    }
  }

  static BridgeStatus updated(BridgeStatus status, BridgeStream.Report report) {
    if (report instanceof BridgeStream.Connected connected) {
      return status.connectedAt(connected.at());
    } else if (report instanceof BridgeStream.Disconnected disconnected) {
      return status.disconnected(disconnected.at(), disconnected.reason());
    } else if (report instanceof BridgeStream.Recorded recorded) {
      return status.messageRecorded(recorded.arrived());
    }
    BridgeStream.Failed failed = (BridgeStream.Failed) report;
    return status.messageFailed(failed.arrived(), failed.reason());
  }

  private static BridgeReply notFound() {
    return new BridgeReply.Rejected(Rejection.NOT_FOUND, "No such bridge");
  }
}
