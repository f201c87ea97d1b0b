package io.entwine.integration.mqtt;

import io.entwine.credentials.Credentials;
import io.entwine.credentials.SecretBox;
import io.entwine.entity.CommandTable;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.DirectoryEntities;
import io.entwine.integration.RememberedStreamEntity;
import io.entwine.integration.UplinkRecorder;
import io.entwine.integration.script.ConverterException;
import io.entwine.integration.script.Converters;
import io.entwine.integration.script.UplinkConverter;
import io.entwine.protocol.CborSerializable;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge to an external MQTT broker: its configuration (event-sourced) and, while it exists,
 * its running stream ({@link BridgeStream}) and in-memory {@link BridgeActivity}. A sharded entity
 * with remember-entities (event-sourced store), keyed {@code org/id}: exactly one instance runs in
 * the cluster, and when its node leaves, sharding starts it again on another node, which connects
 * to the broker again. A deleted bridge stops its stream and passivates, which removes it from the
 * remembered entities. See ADR 0032.
 */
public final class MqttBridge
    extends RememberedStreamEntity<
        MqttBridge, MqttBridge.Command, MqttBridge.Event, MqttBridge.State, BridgeReply> {
  private static final Logger log = LoggerFactory.getLogger(MqttBridge.class);

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "MqttBridge");

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  public record Create(BridgeConfig config, Instant at, ActorRef<BridgeReply> replyTo)
      implements Command {}

  /** {@link BridgeReply.Found}, or NOT_FOUND. */
  public record Get(ActorRef<BridgeReply> replyTo)
      implements Command, RememberedStreamEntity.GetCommand<BridgeReply> {}

  /** {@link BridgeReply.Status}, or NOT_FOUND. */
  public record GetStatus(ActorRef<BridgeReply> replyTo) implements Command {}

  public record Delete(Instant at, ActorRef<BridgeReply> replyTo)
      implements Command, RememberedStreamEntity.DeleteCommand<BridgeReply> {}

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
      implements CborSerializable, Lifecycle {
    static final State EMPTY = new State(null, null, false);

    @Override
    public boolean exists() {
      return config != null && !deleted;
    }

    @Override
    public String createdId() {
      return config == null ? null : config.id();
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
    initRemembered(
        system,
        ENTITY_KEY,
        (entityId, shard, context) -> new MqttBridge(entityId, shard, services, context));
  }

  private final Services services;
  private final ActorRef<BridgeStream.Report> reports;
  private final BridgeActivity activity = new BridgeActivity();
  private UniqueKillSwitch running;

  private MqttBridge(
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Services services,
      ActorContext<Command> context) {
    super(ENTITY_KEY, KIND, entityId, shard, context);
    this.services = services;
    this.reports = context.messageAdapter(BridgeStream.Report.class, StreamReport::new);
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

  private static final Kind<MqttBridge, Command, Event, State, BridgeReply> KIND =
      new Kind<>(
          "bridge",
          new StopIfEmpty(),
          BridgeReply.Rejected::new,
          new BridgeReply.Done(),
          State.EMPTY,
          HANDLERS,
          state -> new BridgeReply.Found(state.config(), state.created()),
          BridgeDeleted::new);

  private ReplyEffect<Event, State> onStreamReport(State state, StreamReport report) {
    activity.record(report.report());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onGetStatus(State state, GetStatus get) {
    return replyIfExists(
        state,
        get.replyTo(),
        exists -> new BridgeReply.Status(exists.config().id(), activity.status()));
  }

  private ReplyEffect<Event, State> onCreate(State state, Create create) {
    return create(state, create.replyTo(), new BridgeCreated(create.config(), create.at()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        event instanceof BridgeCreated created
            ? new State(created.config(), created.at(), false)
            : new State(state.config(), state.created(), true);
  }

  @Override
  protected void startStream(State state) {
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
      activity.disconnected(Timestamps.now(), "Cannot start: " + e.getMessage());
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
            context().getSystem());
  }

  @Override
  protected void stopStream() {
    if (running != null) {
      running.shutdown();
      running = null;
    }
  }
}
