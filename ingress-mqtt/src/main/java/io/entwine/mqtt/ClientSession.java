package io.entwine.mqtt;

import io.entwine.entity.CommandTable;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.live.LiveFeed;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The cluster-wide session of one MQTT client id (entity id = the client id): which connection
 * holds it, and for a persistent session (clean session false) its subscriptions. Sharding makes it
 * the one place every node asks, so it is both the takeover arbiter (MQTT 3.1.1 section 3.1.4; IBM
 * IoT Foundation MQTT documentation, Applications) and the store that lets a persistent session
 * resume on any node (ADR 0007).
 *
 * <p>The holding connection's address is persisted, so a session that passivated or moved to
 * another node still finds the connection it has to close: with the claim when the claim changes
 * what is stored (a persistent session taken or discarded), else when the session stops (passivated
 * or handed off); a clean claim over a clean session is kept in memory until then (ADR 0068).
 * Events are not tagged: no projection reads them.
 *
 * <p>(Over 400 lines as one responsibility: claiming, taking over, resuming and releasing a client
 * id are one session's life cycle over the same persisted state, and are checked against each other
 * in one place.)
 */
public final class ClientSession
    extends EventSourcedEntity<
        ClientSession, ClientSession.Command, ClientSessionEvent, ClientSessionState> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "MqttClientSession");

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /**
   * Connection {@code connection} takes the client id; the previous holder, if any, is told {@link
   * TakenOver}. {@code cleanSession} discards the stored session (MQTT 3.1.1 section 3.1.2.4).
   */
  public record Claim(
      ActorRef<Control> connection, boolean cleanSession, Instant at, ActorRef<Claimed> replyTo)
      implements Command {}

  /** Stores a subscription of the persistent session held by {@code connection}. */
  public record Subscribe(
      ActorRef<Control> connection, String filter, int qos, ActorRef<Reply> replyTo)
      implements Command {}

  public record Unsubscribe(ActorRef<Control> connection, String filter, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * The client of {@code connection} went away without a takeover; {@code owed} is what the
   * connection had not delivered or had not got acknowledged.
   */
  public record Release(ActorRef<Control> connection, List<ClusterLink.BufferedMessage> owed)
      implements Command {}

  /** A live message of the organization, for the offline buffer. Local only. */
  private record Collect(LiveMessage message) implements Command {}

  /** Checks the offline session's expiry while collecting. Local only. */
  private record Tick() implements Command {}

  /**
   * Sent to itself through sharding while collecting, which keeps the entity from passivating
   * (messages from the live feed do not pass the shard, so they do not count as activity).
   */
  public record KeepCollecting() implements Command {}

  /**
   * Sharding's stop message (passivation, hand-off of the shard): the session stops after what it
   * persists is written. Local only.
   */
  public record Passivate() implements Command {
    public static final Passivate INSTANCE = new Passivate();
  }

  /** What a session tells the connection that holds it. */
  public sealed interface Control extends CborSerializable {}

  /** Another connection claimed the client id: close. */
  public record TakenOver(Instant at) implements Control {}

  /** Part of what the resumed session collected while its client was away, oldest first. */
  public record Backlog(List<ClusterLink.BufferedMessage> messages) implements Control {}

  /** The answer to {@link Claim}: whether a persistent session was there, and its subscriptions. */
  public record Claimed(boolean sessionPresent, List<ClusterLink.StoredSubscription> subscriptions)
      implements CborSerializable {}

  // ---- wiring ----

  /** Remote messages stay well below Artery's default 256 KiB frame. */
  private static final long BACKLOG_CHUNK_BYTES = 128 * 1024;

  private static final Duration KEEP_COLLECTING_EVERY = Duration.ofSeconds(30);

  /** One for all sessions: the state applies its events itself. */
  private static final EventHandler<ClientSessionState, ClientSessionEvent> APPLY =
      ClientSessionState::apply;

  public static void init(ActorSystem<?> system, OfflineBuffer.Limits limits) {
    Duration linger = system.settings().config().getDuration("entwine.mqtt.clean-session-linger");
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_KEY,
                    entityContext ->
                        create(
                            entityContext.getEntityId(), limits, entityContext.getShard(), linger))
                // without a stop message sharding wraps each session in an interceptor of its own
                .withStopMessage(Passivate.INSTANCE));
  }

  /** A session outside sharding, which never passivates itself (entity tests). */
  public static Behavior<Command> create(String clientId, OfflineBuffer.Limits limits) {
    return create(clientId, limits, null, Duration.ZERO);
  }

  private static Behavior<Command> create(
      String clientId, OfflineBuffer.Limits limits, ActorRef<ShardCommand> shard, Duration linger) {
    // No Behaviors.withTimers: its scheduler and interceptor would sit in every session (one per
    // MQTT connection), while only an application's session collecting offline needs a tick.
    return Behaviors.setup(context -> new ClientSession(clientId, limits, context, shard, linger));
  }

  private final String clientId;
  private final OfflineBuffer.Limits limits;
  private final ActorContext<Command> context;
  // Where a clean session asks to passivate once it is claimed (null outside sharding).
  private final ActorRef<ShardCommand> shard;
  private final Duration linger;
  // Claims taken since this incarnation started: a linger passivates only after the last one.
  private long claims;

  // A clean claim over a clean session, written when the session stops (ADR 0068); null when the
  // journal names the holder.
  private Claim heldSinceLastWrite;

  /** Not null while collecting for an application whose client is away (never persisted). */
  private OfflineBuffer offline;

  private Instant collectingSince;
  private ActorRef<LiveMessage> collector;
  // The next expiry check while collecting.
  private Cancellable nextTick;

  private ClientSession(
      String clientId,
      OfflineBuffer.Limits limits,
      ActorContext<Command> context,
      ActorRef<ShardCommand> shard,
      Duration linger) {
    super(ENTITY_KEY, clientId);
    this.clientId = clientId;
    this.limits = limits;
    this.context = context;
    this.shard = shard;
    this.linger = linger;
  }

  @Override
  public ClientSessionState emptyState() {
    return ClientSessionState.EMPTY;
  }

  // One for every session: Pekko keeps the criteria in each resident session's behaviour.
  private static final RetentionCriteria SNAPSHOT_EVERY_50 = RetentionCriteria.snapshotEvery(50, 2);

  @Override
  public RetentionCriteria retentionCriteria() {
    return SNAPSHOT_EVERY_50;
  }

  @Override
  public EventHandler<ClientSessionState, ClientSessionEvent> eventHandler() {
    return APPLY;
  }

  @Override
  protected CommandTable<ClientSession, Command, ClientSessionEvent, ClientSessionState>
      commandTable() {
    return HANDLERS;
  }

  private static final CommandTable<ClientSession, Command, ClientSessionEvent, ClientSessionState>
      HANDLERS =
          CommandTable.<ClientSession, Command, ClientSessionEvent, ClientSessionState>of(
                  Command.class)
              .on(Claim.class, ClientSession::onClaim)
              .on(Subscribe.class, ClientSession::onSubscribe)
              .on(Unsubscribe.class, ClientSession::onUnsubscribe)
              .on(Release.class, ClientSession::onRelease)
              .on(Collect.class, ClientSession::onCollect)
              .on(Tick.class, ClientSession::onTick)
              .on(KeepCollecting.class, ClientSession::onKeepCollecting)
              .on(Passivate.class, ClientSession::onPassivate)
              .on(LingerOver.class, ClientSession::onLingerOver)
              .build();

  /** Stops, after writing the holder of a clean claim kept in memory (ADR 0068). */
  private ReplyEffect<ClientSessionEvent, ClientSessionState> onPassivate(
      ClientSessionState state, Passivate passivate) {
    Claim held = heldSinceLastWrite;
    if (held == null) {
      return Effect().stop().thenNoReply();
    }
    heldSinceLastWrite = null;
    return Effect()
        .persist(new ClientSessionEvent.SessionClaimed(held.connection(), true, held.at()))
        .thenStop()
        .thenNoReply();
  }

  private ReplyEffect<ClientSessionEvent, ClientSessionState> onCollect(
      ClientSessionState state, Collect collect) {
    if (offline != null) {
      offline.offer(collect.message());
    }
    return Effect().noReply();
  }

  /**
   * A clean session's linger after claim {@code claim} is over: it passivates unless claimed again
   * since (docs/adr/0059). Local only.
   */
  private record LingerOver(long claim) implements Command {}

  private ReplyEffect<ClientSessionEvent, ClientSessionState> onLingerOver(
      ClientSessionState state, LingerOver over) {
    if (over.claim() == claims && shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().noReply();
  }

  /** It only kept the entity from passivating. */
  private ReplyEffect<ClientSessionEvent, ClientSessionState> onKeepCollecting(
      ClientSessionState state, KeepCollecting keep) {
    return Effect().noReply();
  }

  private ReplyEffect<ClientSessionEvent, ClientSessionState> onTick(
      ClientSessionState state, Tick tick) {
    if (offline == null) {
      return Effect().noReply();
    }
    if (Duration.between(collectingSince, Instant.now()).compareTo(limits.expiry()) >= 0) {
      context.getLog().info("MQTT {}: offline session expired", clientId);
      stopCollecting();
    } else {
      ClusterSharding.get(context.getSystem())
          .entityRefFor(ENTITY_KEY, clientId)
          .tell(new KeepCollecting());
      scheduleTick();
    }
    return Effect().noReply();
  }

  private ReplyEffect<ClientSessionEvent, ClientSessionState> onClaim(
      ClientSessionState state, Claim claim) {
    claims++;
    ActorRef<Control> previous =
        heldSinceLastWrite != null ? heldSinceLastWrite.connection() : state.connection();
    if (claim.cleanSession() && !state.persistent()) {
      heldSinceLastWrite = claim; // nothing stored changes but the holder
      tellTakenOver(previous, claim);
      lingerIfSharded(claim);
      return Effect().reply(claim.replyTo(), new Claimed(false, List.of()));
    }
    heldSinceLastWrite = null;
    boolean sessionPresent = !claim.cleanSession() && state.persistent();
    OfflineBuffer collected = stopCollecting();
    return Effect()
        .persist(
            new ClientSessionEvent.SessionClaimed(
                claim.connection(), claim.cleanSession(), claim.at()))
        .thenRun(
            after -> {
              tellTakenOver(previous, claim);
              if (sessionPresent && collected != null) {
                // sent before the answer, which is what lets the connection watch the live feed
                collected
                    .chunks(BACKLOG_CHUNK_BYTES)
                    .forEach(chunk -> claim.connection().tell(new Backlog(chunk)));
              }
              lingerIfSharded(claim);
            })
        .thenReply(
            claim.replyTo(),
            after ->
                new Claimed(
                    sessionPresent,
                    sessionPresent
                        ? after.subscriptions()
                        : List.<ClusterLink.StoredSubscription>of()));
  }

  private static void tellTakenOver(ActorRef<Control> previous, Claim claim) {
    if (previous != null && !previous.equals(claim.connection())) {
      previous.tell(new TakenOver(claim.at()));
    }
  }

  /**
   * A clean session passivates (resident for the whole connection it would cost each connection a
   * twin's worth of heap), after a linger: a client that reconnects at once (a reconnect storm, a
   * fuzzer) finds it resident instead of replaying its journal.
   */
  private void lingerIfSharded(Claim claim) {
    if (claim.cleanSession() && shard != null) {
      context.scheduleOnce(linger, context.getSelf(), new LingerOver(claims));
    }
  }

  private ReplyEffect<ClientSessionEvent, ClientSessionState> onSubscribe(
      ClientSessionState state, Subscribe subscribe) {
    if (!state.persistent() || !state.isHeldBy(subscribe.connection())) {
      // a connection that was taken over, or a clean session: nothing to keep
      return Effect().reply(subscribe.replyTo(), new Reply.Done());
    }
    return Effect()
        .persist(new ClientSessionEvent.Subscribed(subscribe.filter(), subscribe.qos()))
        .thenReply(subscribe.replyTo(), after -> new Reply.Done());
  }

  private ReplyEffect<ClientSessionEvent, ClientSessionState> onUnsubscribe(
      ClientSessionState state, Unsubscribe unsubscribe) {
    boolean stored =
        state.subscriptions().stream().anyMatch(s -> s.filter().equals(unsubscribe.filter()));
    if (!state.persistent() || !state.isHeldBy(unsubscribe.connection()) || !stored) {
      return Effect().reply(unsubscribe.replyTo(), new Reply.Done());
    }
    return Effect()
        .persist(new ClientSessionEvent.Unsubscribed(unsubscribe.filter()))
        .thenReply(unsubscribe.replyTo(), after -> new Reply.Done());
  }

  private ReplyEffect<ClientSessionEvent, ClientSessionState> onRelease(
      ClientSessionState state, Release release) {
    if (!state.persistent()
        || !state.isHeldBy(release.connection())
        || state.subscriptions().isEmpty()
        || !(ClientIds.parse(clientId) instanceof ClientIds.Application app)) {
      // devices' commands wait on their twins; a clean or taken-over session keeps nothing
      return Effect().noReply();
    }
    stopCollecting();
    offline = new OfflineBuffer(state.subscriptions(), limits);
    offline.keepAll(release.owed());
    collectingSince = Instant.now();
    collector = context.messageAdapter(LiveMessage.class, Collect::new);
    LiveFeed.get(context.getSystem()).subscribe(app.org(), collector);
    scheduleTick();
    return Effect().noReply();
  }

  /** One pending tick at most: a late tick of an earlier round only checks early. */
  private void scheduleTick() {
    if (nextTick != null) {
      nextTick.cancel();
    }
    nextTick = context.scheduleOnce(KEEP_COLLECTING_EVERY, context.getSelf(), new Tick());
  }

  /** Ends collecting, if it was; returns what was collected (null when nothing was). */
  private OfflineBuffer stopCollecting() {
    OfflineBuffer collected = offline;
    if (collected != null) {
      nextTick.cancel();
      nextTick = null;
      if (ClientIds.parse(clientId) instanceof ClientIds.Application app) {
        LiveFeed.get(context.getSystem()).unsubscribe(app.org(), collector);
      }
      if (collected.dropped() > 0) {
        context
            .getLog()
            .info(
                "MQTT {}: {} messages dropped from full buffers while the client was away",
                clientId,
                collected.dropped());
      }
      offline = null;
      collector = null;
    }
    return collected;
  }
}
