package io.entwine.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.Credentials;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveFeed;
import io.entwine.live.LiveMessage;
import io.entwine.persistence.Persistence;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The digital twin of one device: its registration, metadata, credential hash, enabled flag, the
 * last event per event id, its further credentials (Hono, Tencent), the gateways that may act for
 * it and its command queue ({@link CommandHandling}). Every reply that acknowledges data is sent
 * after the persist.
 */
public final class DeviceTwin
    extends EventSourcedBehaviorWithEnforcedReplies<
        DeviceTwin.Command, DeviceTwin.Event, DeviceTwin.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "DeviceTwin");

  /** Fixed once: events are tagged into this many slices, one projection instance per slice. */
  public static final int TAG_SLICES = 4;

  /** The tags of recorded events, one per slice: the historian reads them. */
  public static final List<String> RECORDED_TAGS = sliceTags("twin-");

  /**
   * The tags of the events that change a device's registration, one per slice: the registry reads
   * them. Kept apart from recorded events so that the registry does not read (and the journal does
   * not re-read for it) every event a device sends; other events carry no tag.
   */
  public static final List<String> REGISTRY_TAGS = sliceTags("registry-");

  /**
   * The most readings one {@link EventsRecorded} holds; a longer batch is persisted as several. The
   * historian numbers a reading {@code sequenceNr * READINGS_PER_EVENT + index}.
   */
  public static final int READINGS_PER_EVENT = 1024;

  private static final List<Set<String>> RECORDED_TAG_SETS =
      RECORDED_TAGS.stream().map(Set::of).toList();
  private static final List<Set<String>> REGISTRY_TAG_SETS =
      REGISTRY_TAGS.stream().map(Set::of).toList();

  private static List<String> sliceTags(String prefix) {
    return IntStream.range(0, TAG_SLICES).mapToObj(slice -> prefix + slice).toList();
  }

  // ---- commands ----

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  public record Register(
      String secretHash,
      JsonNode metadata,
      String registeredBy,
      String registeredByType,
      Instant at,
      ActorRef<Reply> replyTo)
      implements Command {}

  /** Changes the metadata and/or the enabled flag; a null field is left as it is. */
  public record Update(JsonNode metadata, Boolean enabled, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record Delete(Instant at, ActorRef<Reply> replyTo) implements Command {}

  /**
   * A device event, authenticated by the token the device presented. {@code verifiedAgainst} is the
   * stored hash the sender already verified the token against (null when it has not).
   */
  public record RecordEvent(
      String token,
      String verifiedAgainst,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      int qos,
      ActorRef<Reply> replyTo)
      implements Command {

    public RecordEvent(
        String token,
        String verifiedAgainst,
        String eventId,
        String format,
        byte[] payload,
        Instant timestamp,
        Instant receivedAt,
        ActorRef<Reply> replyTo) {
      this(
          token,
          verifiedAgainst,
          eventId,
          format,
          payload,
          timestamp,
          receivedAt,
          LiveMessage.DeviceEvent.ACKNOWLEDGED_QOS,
          replyTo);
    }
  }

  /**
   * Several events the device sent one after another (MQTT publishes pipelined on one connection),
   * authenticated like {@link RecordEvent} and persisted in one write, in order: Done means all are
   * persisted, a refusal means none is.
   */
  public record RecordEvents(
      String token, String verifiedAgainst, List<EventPart> events, ActorRef<Reply> replyTo)
      implements Command {}

  /** One event of {@link RecordEvents}; {@code qos} as in {@link RecordEvent}. */
  public record EventPart(
      String eventId, String format, byte[] payload, Instant timestamp, Instant receivedAt, int qos)
      implements CborSerializable {}

  /**
   * An event an application sends on the device's behalf; the application is already authenticated
   * by an API key of the device's organization.
   */
  public record RecordApplicationEvent(
      String apiKey,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      int qos,
      ActorRef<Reply> replyTo)
      implements Command {

    public RecordApplicationEvent(
        String apiKey,
        String eventId,
        String format,
        byte[] payload,
        Instant timestamp,
        Instant receivedAt,
        ActorRef<Reply> replyTo) {
      this(
          apiKey,
          eventId,
          format,
          payload,
          timestamp,
          receivedAt,
          LiveMessage.DeviceEvent.ACKNOWLEDGED_QOS,
          replyTo);
    }
  }

  /** Checks a device's token without recording anything (e.g. an MQTT CONNECT). */
  public record Authenticate(String token, String verifiedAgainst, ActorRef<Reply> replyTo)
      implements Command {}

  /** The last event of one event id, or of every event id when {@code eventId} is null. */
  public record GetLastEvents(String eventId, ActorRef<Reply> replyTo) implements Command {}

  /** Queues a command for the device; {@code timeToLive} null means the configured default. */
  public record QueueCommand(
      String commandId,
      String command,
      String format,
      byte[] payload,
      Duration timeToLive,
      Instant at,
      ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * A connected device session that takes commands. Not persisted: it lasts as long as this
   * incarnation of the twin, and a later attach replaces it. With {@code deliverWaiting} the
   * commands already waiting are sent to it at once (a persistent MQTT session).
   */
  public record AttachSession(
      ActorRef<DeliverCommand> session, boolean deliverWaiting, ActorRef<Reply> replyTo)
      implements Command {}

  public record DetachSession(ActorRef<DeliverCommand> session, ActorRef<Reply> replyTo)
      implements Command {}

  /** The session handed the command to the device (MQTT: the device acknowledged it). */
  public record ConfirmDelivered(String commandId, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /** Sent by the twin to its attached session, once per waiting command. */
  public record DeliverCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload)
      implements CborSerializable {}

  /** The pending and recent commands with their status ({@code GET .../commands}). */
  public record ListCommands(ActorRef<Reply> replyTo) implements Command {}

  /**
   * An application waits until {@code until} for the device's response to a command: answered with
   * {@link Reply.CommandResponse} when it comes (at once if it came already).
   */
  public record AwaitCommandResponse(String commandId, Instant until, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * The device (or {@code gateway} acting for it; null for the device itself) answers a command.
   * Persisted as {@link CommandResponded}; Done when an application waiting for it got it.
   */
  public record RespondToCommand(
      String commandId,
      int status,
      String format,
      byte[] payload,
      DeviceKey gateway,
      Instant at,
      ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * A request waits until {@code until} for a command (Hono {@code hono-ttd}): the device's own
   * ({@code gateway} null) or a gateway's for this device. Answered with {@link
   * Reply.CommandToDeliver} (recorded as delivered) or {@link Reply.NoCommand}; the sender ends the
   * wait with {@link StopWaiting}.
   */
  public record WaitForCommand(
      String waiterId, DeviceKey gateway, Instant until, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * The waiting request is still there: the edge repeats its {@link WaitForCommand} while it waits,
   * so that a twin that restarted or moved to another node (and so forgot its waiters) learns of it
   * again. Changes nothing when the twin knows the wait, or has ended it; answered {@link
   * Reply.NoCommand} when another request waits for the device meanwhile.
   */
  public record RenewWait(
      String waiterId, DeviceKey gateway, Instant until, ActorRef<Reply> replyTo)
      implements Command {}

  /** Ends a wait: {@code replyTo} is the waiting request's own reference. */
  public record StopWaiting(String waiterId, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Twin to twin: {@code target}'s command, offered to this twin as one of {@code target}'s
   * gateways; passed on to the {@code remaining} gateways when nobody waits here.
   */
  public record OfferCommand(
      DeviceKey target,
      String commandId,
      String command,
      String format,
      byte[] payload,
      Instant expiresAt,
      List<DeviceKey> remaining)
      implements Command {
    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /**
   * Twin to twin: {@code device} listed (or no longer lists) this twin as one of its gateways; a
   * gateway's own waiting request asks those devices for their waiting commands.
   */
  public record ActFor(DeviceKey device, boolean acting, Instant at) implements Command {
    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /** Twin to twin: gateway {@code gateway} waits now; offer it this twin's next command. */
  public record OfferWaitingTo(DeviceKey gateway) implements Command {
    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /** Twin to twin: a gateway's waiting request took this twin's command. */
  public record DeliveredThroughGateway(String commandId, DeviceKey gateway, Instant at)
      implements Command {
    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /**
   * An event whose sender the edge already authenticated by other means than the IBM token (a Hono
   * credential, a Tencent signature, an unauthenticated device its tenant allows), or that {@code
   * gateway} sends for the device. {@code nonce} (Tencent) is refused when seen within the nonce
   * window.
   */
  public record RecordVerifiedEvent(
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      DeviceKey gateway,
      String nonce,
      ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * Adds or replaces a credential: {@code hashed-password} under an auth-id (a slow hash), or the
   * {@code psk} (encrypted with the cluster key).
   */
  public record AddCredential(
      String type,
      String authId,
      String secretHash,
      String encryptedSecret,
      Instant at,
      ActorRef<Reply> replyTo)
      implements Command {}

  public record RemoveCredential(String type, String authId, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  public record ListCredentials(ActorRef<Reply> replyTo) implements Command {}

  /**
   * Like {@link Authenticate}, with the password of the hashed-password credential {@code authId}.
   */
  public record AuthenticateCredential(
      String authId, String password, String verifiedAgainst, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * Done when the device has an x509-cert credential for {@code subjectDn}, the subject of a client
   * certificate the edge has already checked against the tenant's trusted CA.
   */
  public record AuthenticateCertificate(String subjectDn, ActorRef<Reply> replyTo)
      implements Command {}

  /** The encrypted PSK, for the edge to check a signature with. */
  public record GetPsk(ActorRef<Reply> replyTo) implements Command {}

  /** The gateways allowed to act for the device (Hono {@code via}); replaces the list. */
  public record SetGateways(List<DeviceKey> via, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * Merges {@code attributes} into the device's shared attributes (a null value removes one); the
   * change waits as a downlink for integration devices. Answers {@link Reply.Attributes}.
   */
  public record SetAttributes(ObjectNode attributes, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /** {@link Reply.Attributes}. */
  public record GetAttributes(ActorRef<Reply> replyTo) implements Command {}

  /** {@link Reply.Downlink}: what an integration hands the device in its next response. */
  public record TakeDownlink(ActorRef<Reply> replyTo) implements Command {}

  /** The attribute changes up to {@code version} were handed to the device. */
  public record ConfirmAttributesDelivered(long version, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record AttributesUpdated(ObjectNode change, Instant at) implements Event {}

  public record AttributesDelivered(long version, Instant at) implements Event {}

  public record DeviceRegistered(
      String org,
      String type,
      String id,
      String secretHash,
      JsonNode metadata,
      String registeredBy,
      String registeredByType,
      Instant at)
      implements Event {}

  public record MetadataUpdated(JsonNode metadata, Instant at) implements Event {}

  public record EnabledChanged(boolean enabled, Instant at) implements Event {}

  public record DeviceDeleted(Instant at) implements Event {}

  public record EventRecorded(
      String eventId, String format, byte[] payload, Instant timestamp, Instant receivedAt)
      implements Event {}

  /**
   * Readings the device sent one after another, in order, as one journal event: one journal row,
   * one tag row and one projection envelope for all of them (ADR 0035).
   */
  public record EventsRecorded(List<EventRecorded> readings) implements Event {}

  public record CommandQueued(
      String commandId,
      String command,
      String format,
      byte[] payload,
      Instant queuedAt,
      Instant expiresAt)
      implements Event {}

  /**
   * {@code receiver} got the command: the device's own key, or the gateway's that took it for the
   * device; null in events written before receivers were recorded.
   */
  public record CommandDelivered(String commandId, Instant at, DeviceKey receiver)
      implements Event {}

  public record CommandExpired(String commandId, Instant at) implements Event {}

  public record CommandResponded(
      String commandId, int status, String format, byte[] payload, Instant at) implements Event {}

  public record CredentialAdded(
      String type, String authId, String secretHash, String encryptedSecret, Instant at)
      implements Event {}

  public record CredentialRemoved(String type, String authId, Instant at) implements Event {}

  public record GatewaysSet(List<DeviceKey> via, Instant at) implements Event {}

  /** This twin (a gateway) acts for {@code device}, or no longer does. */
  public record ActingForChanged(DeviceKey device, boolean acting, Instant at) implements Event {}

  /** A signed request's nonce, refused when presented again before {@code expiresAt}. */
  public record NonceUsed(String nonce, Instant at, Instant expiresAt) implements Event {}

  // ---- state ----

  public record Registration(
      String secretHash,
      JsonNode metadata,
      boolean enabled,
      String registeredBy,
      String registeredByType,
      Instant registeredAt) {

    public Registration {
      // Who registered is one of a few API keys or users for millions of resident twins: one
      // shared string each instead of a copy per twin, also when read from a snapshot.
      registeredBy = registeredBy == null ? null : registeredBy.intern();
      registeredByType = registeredByType == null ? null : registeredByType.intern();
    }

    Registration withMetadata(JsonNode newMetadata) {
      return new Registration(
          secretHash, newMetadata, enabled, registeredBy, registeredByType, registeredAt);
    }

    Registration withEnabled(boolean newEnabled) {
      return new Registration(
          secretHash, metadata, newEnabled, registeredBy, registeredByType, registeredAt);
    }
  }

  /** Immutable; {@link #EMPTY} is shared by every twin that is not registered. */
  public record State(
      Registration registration,
      Map<String, Reply.LastEvent> lastEvents,
      long eventCount,
      CommandQueue commands,
      DeviceCredentials credentials,
      List<DeviceKey> via,
      Map<String, Instant> nonces,
      List<DeviceKey> actsFor,
      SharedAttributes attributes)
      implements CborSerializable {

    public static final State EMPTY =
        new State(
            null,
            Map.of(),
            0,
            CommandQueue.EMPTY,
            DeviceCredentials.NONE,
            List.of(),
            Map.of(),
            List.of(),
            SharedAttributes.NONE);

    public State {
      commands = commands == null ? CommandQueue.EMPTY : commands;
      credentials = credentials == null ? DeviceCredentials.NONE : credentials;
      via = via == null ? List.of() : via;
      nonces = nonces == null ? Map.of() : nonces;
      actsFor = actsFor == null ? List.of() : actsFor;
      attributes = attributes == null ? SharedAttributes.NONE : attributes;
    }

    public State(
        Registration registration,
        Map<String, Reply.LastEvent> lastEvents,
        long eventCount,
        CommandQueue commands) {
      this(registration, lastEvents, eventCount, commands, null, null, null, null, null);
    }

    public boolean isRegistered() {
      return registration != null;
    }

    State withRegistration(Registration newRegistration) {
      return new State(
          newRegistration,
          lastEvents,
          eventCount,
          commands,
          credentials,
          via,
          nonces,
          actsFor,
          attributes);
    }

    State withCommands(CommandQueue newCommands) {
      return new State(
          registration,
          lastEvents,
          eventCount,
          newCommands,
          credentials,
          via,
          nonces,
          actsFor,
          attributes);
    }

    State withCredentials(DeviceCredentials newCredentials) {
      return new State(
          registration,
          lastEvents,
          eventCount,
          commands,
          newCredentials,
          via,
          nonces,
          actsFor,
          attributes);
    }

    State withVia(List<DeviceKey> newVia) {
      return new State(
          registration,
          lastEvents,
          eventCount,
          commands,
          credentials,
          List.copyOf(newVia),
          nonces,
          actsFor,
          attributes);
    }

    /** Remembers a nonce until it expires, forgetting those expired at {@code now}. */
    State withNonce(String nonce, Instant now, Instant expiresAt) {
      Map<String, Instant> kept = new java.util.HashMap<>();
      nonces.forEach(
          (n, until) -> {
            if (until.isAfter(now)) {
              kept.put(n, until);
            }
          });
      kept.put(nonce, expiresAt);
      return new State(
          registration,
          lastEvents,
          eventCount,
          commands,
          credentials,
          via,
          Map.copyOf(kept),
          actsFor,
          attributes);
    }

    boolean nonceSeen(String nonce, Instant now) {
      Instant until = nonces.get(nonce);
      return until != null && until.isAfter(now);
    }

    /**
     * Keeps the newest event of each event id; beyond {@code maxEventIds} ids, the id that was
     * received longest ago goes. Arrival order, not device time: a device clock cannot evict the
     * event just recorded. The map's order is the arrival order and survives snapshots.
     */
    State withLastEvent(Reply.LastEvent event, int maxEventIds) {
      LinkedHashMap<String, Reply.LastEvent> updated = new LinkedHashMap<>(lastEvents);
      updated.remove(event.eventId());
      updated.put(event.eventId(), event);
      if (updated.size() > maxEventIds) {
        updated.remove(updated.keySet().iterator().next());
      }
      return new State(
          registration,
          Collections.unmodifiableMap(updated),
          eventCount + 1,
          commands,
          credentials,
          via,
          nonces,
          actsFor,
          attributes);
    }

    State withActingFor(DeviceKey device, boolean acting) {
      List<DeviceKey> updated = new ArrayList<>(actsFor);
      updated.remove(device);
      if (acting) {
        updated.add(device);
      }
      return new State(
          registration,
          lastEvents,
          eventCount,
          commands,
          credentials,
          via,
          nonces,
          List.copyOf(updated),
          attributes);
    }

    State withAttributes(SharedAttributes newAttributes) {
      return new State(
          registration,
          lastEvents,
          eventCount,
          commands,
          credentials,
          via,
          nonces,
          actsFor,
          newAttributes);
    }
  }

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    TwinSettings settings = TwinSettings.from(system.settings().config());
    VerifiedSecrets secrets = Credentials.get(system).verifiedSecrets();
    LiveFeed liveFeed = LiveFeed.get(system);
    ClusterSharding sharding = ClusterSharding.get(system);
    BiConsumer<DeviceKey, Command> tellTwin =
        (key, command) -> sharding.entityRefFor(ENTITY_KEY, key.entityId()).tell(command);
    sharding.init(
        Entity.of(
            ENTITY_KEY,
            entityContext ->
                create(
                    entityContext.getEntityId(), settings, secrets, liveFeed::publish, tellTwin)));
  }

  /** A twin whose live messages go nowhere (entity tests). */
  public static Behavior<Command> create(
      String entityId, TwinSettings settings, VerifiedSecrets secrets) {
    return create(entityId, settings, secrets, message -> {});
  }

  public static Behavior<Command> create(
      String entityId,
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive) {
    return create(entityId, settings, secrets, publishLive, (key, command) -> {});
  }

  /**
   * @param tellTwin sends a command to another twin (a command offered to a gateway)
   */
  public static Behavior<Command> create(
      String entityId,
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive,
      BiConsumer<DeviceKey, Command> tellTwin) {
    return new DeviceTwin(
        DeviceKey.fromEntityId(entityId).sharingOrgAndType(),
        settings,
        secrets,
        publishLive,
        tellTwin);
  }

  /** The tag of the device's recorded events; its slice names the device's historian slice. */
  public static String tagFor(String entityId) {
    return RECORDED_TAGS.get(sliceOf(entityId));
  }

  private static int sliceOf(String entityId) {
    return Math.floorMod(entityId.hashCode(), TAG_SLICES);
  }

  private final DeviceKey device;
  private final TwinSettings settings;
  private final VerifiedSecrets secrets;
  private final int slice;
  private final Consumer<LiveMessage> publishLive;
  private final CommandHandling commands;
  private final CredentialHandling credentials;

  private DeviceTwin(
      DeviceKey device,
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive,
      BiConsumer<DeviceKey, Command> tellTwin) {
    super(PersistenceId.of(ENTITY_KEY.name(), device.entityId()), Persistence.RESTART_ON_FAILURE);
    this.device = device;
    this.settings = settings;
    this.secrets = secrets;
    this.slice = sliceOf(device.entityId());
    this.publishLive = publishLive;
    this.commands = new CommandHandling(device, settings, publishLive, tellTwin);
    this.credentials = new CredentialHandling(device, secrets, tellTwin);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof EventRecorded || event instanceof EventsRecorded) {
      return RECORDED_TAG_SETS.get(slice);
    }
    if (event instanceof DeviceRegistered
        || event instanceof MetadataUpdated
        || event instanceof EnabledChanged
        || event instanceof DeviceDeleted) {
      return REGISTRY_TAG_SETS.get(slice);
    }
    return Set.of();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  // Dispatching by hand instead of through a builder: no per-twin handler objects
  // (docs/performance.md, "The stack measured bare": a javadsl handler built per twin costs ≈ 250 B
  // each).
  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<Event, State> onCommand(State state, Command command) {
    if (command instanceof RecordEvent record) {
      return onRecordEvent(state, record);
    } else if (command instanceof RecordEvents records) {
      return onRecordEvents(state, records);
    } else if (command instanceof Register register) {
      return onRegister(state, register);
    } else if (command instanceof GetLastEvents get) {
      return onGetLastEvents(state, get);
    } else if (command instanceof Get get) {
      return Effect().reply(get.replyTo(), infoOrNotFound(state));
    } else if (command instanceof Update update) {
      return onUpdate(state, update);
    } else if (command instanceof Delete delete) {
      return onDelete(state, delete);
    } else if (command instanceof RecordApplicationEvent record) {
      return onRecordApplicationEvent(state, record);
    } else if (command instanceof Authenticate authenticate) {
      return onAuthenticate(state, authenticate);
    } else if (command instanceof RecordVerifiedEvent record) {
      return onRecordVerifiedEvent(state, record);
    } else if (command instanceof WaitForCommand wait) {
      return commands.onWaitForCommand(state, wait);
    } else if (command instanceof RenewWait renew) {
      return commands.onRenewWait(state, renew);
    } else if (command instanceof StopWaiting stop) {
      return commands.onStopWaiting(stop);
    } else if (command instanceof QueueCommand queue) {
      return commands.onQueueCommand(state, queue);
    } else if (command instanceof AwaitCommandResponse await) {
      return commands.onAwaitResponse(state, await);
    } else if (command instanceof RespondToCommand respond) {
      return commands.onRespond(state, respond);
    } else if (command instanceof ListCommands list) {
      return commands.onListCommands(state, list);
    } else if (command instanceof AttachSession attach) {
      return commands.onAttachSession(state, attach);
    } else if (command instanceof DetachSession detach) {
      return commands.onDetachSession(detach);
    } else if (command instanceof ConfirmDelivered confirm) {
      return commands.onConfirmDelivered(state, confirm);
    } else if (command instanceof OfferCommand offer) {
      return commands.onOfferCommand(offer);
    } else if (command instanceof DeliveredThroughGateway delivered) {
      return commands.onDeliveredThroughGateway(state, delivered);
    } else if (command instanceof AuthenticateCredential authenticate) {
      return credentials.onAuthenticateCredential(state, authenticate);
    } else if (command instanceof AuthenticateCertificate authenticate) {
      return credentials.onAuthenticateCertificate(state, authenticate);
    } else if (command instanceof GetPsk get) {
      return credentials.onGetPsk(state, get);
    } else if (command instanceof AddCredential add) {
      return credentials.onAddCredential(state, add);
    } else if (command instanceof RemoveCredential remove) {
      return credentials.onRemoveCredential(state, remove);
    } else if (command instanceof ListCredentials list) {
      return Effect()
          .reply(list.replyTo(), state.isRegistered() ? state.credentials().list() : notFound());
    } else if (command instanceof SetGateways set) {
      return credentials.onSetGateways(state, set);
    } else if (command instanceof ActFor actFor) {
      return credentials.onActFor(state, actFor);
    } else if (command instanceof OfferWaitingTo offer) {
      return commands.onOfferWaitingTo(state, offer);
    } else if (command instanceof SetAttributes set) {
      return onSetAttributes(state, set);
    } else if (command instanceof GetAttributes get) {
      return Effect().reply(get.replyTo(), attributesOrNotFound(state));
    } else if (command instanceof TakeDownlink take) {
      return onTakeDownlink(state, take);
    } else if (command instanceof ConfirmAttributesDelivered confirm) {
      return onConfirmAttributesDelivered(state, confirm);
    }
    throw new IllegalArgumentException("Unknown command " + command.getClass());
  }

  private ReplyEffect<Event, State> onRegister(State state, Register command) {
    if (state.isRegistered()) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.ALREADY_EXISTS,
                  "Device " + device.type() + "/" + device.id() + " is already registered"));
    }
    DeviceRegistered registered =
        new DeviceRegistered(
            device.org(),
            device.type(),
            device.id(),
            command.secretHash(),
            absentIfNull(command.metadata()),
            command.registeredBy(),
            command.registeredByType(),
            command.at());
    return Effect().persist(registered).thenReply(command.replyTo(), this::info);
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    List<Event> changes = new ArrayList<>(2);
    JsonNode metadata = absentIfNull(command.metadata());
    if (metadata != null && !metadata.equals(state.registration().metadata())) {
      changes.add(new MetadataUpdated(metadata, command.at()));
    }
    if (command.enabled() != null && command.enabled() != state.registration().enabled()) {
      changes.add(new EnabledChanged(command.enabled(), command.at()));
    }
    if (changes.isEmpty()) {
      return Effect().reply(command.replyTo(), info(state));
    }
    return Effect().persist(changes).thenReply(command.replyTo(), this::info);
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    return Effect()
        .persist(new DeviceDeleted(command.at()))
        .thenReply(command.replyTo(), deleted -> new Reply.Done());
  }

  private ReplyEffect<Event, State> onRecordEvent(State state, RecordEvent command) {
    Reply refusal = refusalOfToken(state, command.token(), command.verifiedAgainst());
    if (refusal != null) {
      return Effect().reply(command.replyTo(), refusal);
    }
    return record(
        List.of(),
        command.eventId(),
        command.format(),
        command.payload(),
        command.timestamp(),
        command.receivedAt(),
        command.qos(),
        command.replyTo());
  }

  private ReplyEffect<Event, State> onRecordEvents(State state, RecordEvents command) {
    Reply refusal = refusalOfToken(state, command.token(), command.verifiedAgainst());
    if (refusal != null) {
      return Effect().reply(command.replyTo(), refusal);
    }
    List<EventRecorded> recorded = new ArrayList<>(command.events().size());
    for (EventPart part : command.events()) {
      recorded.add(
          recorded(
              part.eventId(), part.format(), part.payload(), part.timestamp(), part.receivedAt()));
    }
    return Effect()
        .persist(inJournalEvents(recorded))
        .thenRun(
            after -> {
              for (int i = 0; i < recorded.size(); i++) {
                publishLive.accept(live(recorded.get(i), command.events().get(i).qos()));
              }
            })
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  /** {@code readings} as few journal events as {@link #READINGS_PER_EVENT} allows. */
  static List<Event> inJournalEvents(List<EventRecorded> readings) {
    if (readings.size() == 1) {
      return List.of(readings.get(0));
    }
    List<Event> events = new ArrayList<>(readings.size() / READINGS_PER_EVENT + 1);
    for (int start = 0; start < readings.size(); start += READINGS_PER_EVENT) {
      int end = Math.min(start + READINGS_PER_EVENT, readings.size());
      events.add(new EventsRecorded(List.copyOf(readings.subList(start, end))));
    }
    return events;
  }

  private ReplyEffect<Event, State> onRecordApplicationEvent(
      State state, RecordApplicationEvent command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    if (!state.registration().enabled()) {
      return Effect().reply(command.replyTo(), disabled());
    }
    return record(
        List.of(),
        command.eventId(),
        command.format(),
        command.payload(),
        command.timestamp(),
        command.receivedAt(),
        command.qos(),
        command.replyTo());
  }

  private ReplyEffect<Event, State> onAuthenticate(State state, Authenticate command) {
    Reply refusal = refusalOfToken(state, command.token(), command.verifiedAgainst());
    return Effect().reply(command.replyTo(), refusal != null ? refusal : new Reply.Done());
  }

  /** Why a device presenting {@code token} may not act, or null when it may. */
  private Reply refusalOfToken(State state, String token, String verifiedAgainst) {
    if (!state.isRegistered()) {
      // The same answer as a wrong token, so that devices cannot be enumerated.
      return unauthorized();
    }
    String secretHash = state.registration().secretHash();
    if (!secrets.accepts(secretHash, token, verifiedAgainst)) {
      return new Reply.NeedsVerification(secretHash);
    }
    return state.registration().enabled() ? null : disabled();
  }

  /**
   * Persists {@code before} (e.g. a used nonce) and the event in one write; live subscribers get it
   * at most at {@code qos}.
   */
  private ReplyEffect<Event, State> record(
      List<Event> before,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      int qos,
      ActorRef<Reply> replyTo) {
    EventRecorded recorded = recorded(eventId, format, payload, timestamp, receivedAt);
    List<Event> events = new ArrayList<>(before);
    events.add(recorded);
    return Effect()
        .persist(events)
        .thenRun(after -> publishLive.accept(live(recorded, qos)))
        .thenReply(replyTo, after -> new Reply.Done());
  }

  private static EventRecorded recorded(
      String eventId, String format, byte[] payload, Instant timestamp, Instant receivedAt) {
    Instant arrival = receivedAt != null ? receivedAt : Instant.now();
    return new EventRecorded(
        eventId, format, payload, timestamp != null ? timestamp : arrival, arrival);
  }

  private LiveMessage.DeviceEvent live(EventRecorded recorded, int qos) {
    return new LiveMessage.DeviceEvent(
        device.org(),
        device.type(),
        device.id(),
        recorded.eventId(),
        recorded.format(),
        recorded.payload(),
        recorded.timestamp(),
        qos);
  }

  // ---- Hono, Tencent and gateways ----

  private ReplyEffect<Event, State> onRecordVerifiedEvent(
      State state, RecordVerifiedEvent command) {
    Reply refusal = Replies.refusalOfSender(device, state, command.gateway());
    if (refusal != null) {
      return Effect().reply(command.replyTo(), refusal);
    }
    Instant now = Instant.now();
    List<Event> before = List.of();
    if (command.nonce() != null) {
      if (state.nonceSeen(command.nonce(), now)) {
        return Effect()
            .reply(
                command.replyTo(),
                new Reply.Rejected(
                    Rejection.ALREADY_EXISTS,
                    "Nonce '" + command.nonce() + "' was already used; sign with a new one"));
      }
      before = List.of(new NonceUsed(command.nonce(), now, now.plus(settings.nonceWindow())));
    }
    commands.sentThrough(device.equals(command.gateway()) ? null : command.gateway());
    return record(
        before,
        command.eventId(),
        command.format(),
        command.payload(),
        command.timestamp(),
        command.receivedAt(),
        LiveMessage.DeviceEvent.ACKNOWLEDGED_QOS,
        command.replyTo());
  }

  private ReplyEffect<Event, State> onGetLastEvents(State state, GetLastEvents command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    if (command.eventId() == null) {
      List<Reply.LastEvent> all =
          state.lastEvents().values().stream()
              .sorted(Comparator.comparing(Reply.LastEvent::eventId))
              .toList();
      return Effect().reply(command.replyTo(), new Reply.LastEvents(all));
    }
    Reply.LastEvent last = state.lastEvents().get(command.eventId());
    if (last == null) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.NOT_FOUND,
                  "No event '" + command.eventId() + "' was received from " + device.uuid()));
    }
    return Effect().reply(command.replyTo(), new Reply.LastEvents(List.of(last)));
  }

  // ---- shared attributes and integration downlinks ----

  private ReplyEffect<Event, State> onSetAttributes(State state, SetAttributes command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    if (state.attributes().sizeAfter(command.attributes()) > SharedAttributes.MAX_ATTRIBUTES) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.LIMIT_EXCEEDED,
                  "A device has at most " + SharedAttributes.MAX_ATTRIBUTES + " attributes"));
    }
    return Effect()
        .persist(new AttributesUpdated(command.attributes(), command.at()))
        .thenReply(command.replyTo(), DeviceTwin::attributes);
  }

  private Reply attributesOrNotFound(State state) {
    return state.isRegistered() ? attributes(state) : notFound();
  }

  private static Reply.Attributes attributes(State state) {
    return new Reply.Attributes(state.attributes().values(), state.attributes().version());
  }

  private ReplyEffect<Event, State> onTakeDownlink(State state, TakeDownlink command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    SharedAttributes attributes = state.attributes();
    if (!attributes.pending().isEmpty()) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Downlink(attributes.pending(), attributes.version(), null));
    }
    Reply.CommandToDeliver next =
        state
            .commands()
            .nextDeliverable(Instant.now())
            .map(
                c ->
                    new Reply.CommandToDeliver(
                        device, c.commandId(), c.command(), c.format(), c.payload()))
            .orElse(null);
    return Effect().reply(command.replyTo(), new Reply.Downlink(null, attributes.version(), next));
  }

  private ReplyEffect<Event, State> onConfirmAttributesDelivered(
      State state, ConfirmAttributesDelivered command) {
    if (state.attributes().pending().isEmpty()
        || command.version() != state.attributes().version()) {
      // Delivered already, or changed since: what is pending now goes out with the next uplink.
      return Effect().reply(command.replyTo(), new Reply.Done());
    }
    return Effect()
        .persist(new AttributesDelivered(command.version(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  /** A JSON null (which is also what a null JsonNode becomes on the wire) means "not given". */
  private static JsonNode absentIfNull(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }

  private Reply infoOrNotFound(State state) {
    return state.isRegistered() ? info(state) : notFound();
  }

  private Reply.DeviceInfo info(State state) {
    Registration registration = state.registration();
    return new Reply.DeviceInfo(
        device.org(),
        device.type(),
        device.id(),
        registration.metadata(),
        registration.enabled(),
        registration.registeredBy(),
        registration.registeredByType(),
        registration.registeredAt(),
        state.eventCount(),
        state.attributes().values().isEmpty() ? null : state.attributes().values());
  }

  private Reply.Rejected notFound() {
    return Replies.notFound(device);
  }

  private Reply.Rejected disabled() {
    return Replies.disabled(device);
  }

  private static Reply.Rejected unauthorized() {
    return Reply.Rejected.unauthorized();
  }

  // ---- events applied to state ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return this::apply;
  }

  private State withLastEvent(State state, EventRecorded recorded) {
    return state.withLastEvent(
        new Reply.LastEvent(
            recorded.eventId(), recorded.format(), recorded.payload(), recorded.timestamp()),
        settings.maxCachedEventIds());
  }

  private State apply(State state, Event event) {
    if (event instanceof EventRecorded recorded) {
      return withLastEvent(state, recorded);
    } else if (event instanceof EventsRecorded batch) {
      State updated = state;
      for (EventRecorded recorded : batch.readings()) {
        updated = withLastEvent(updated, recorded);
      }
      return updated;
    } else if (event instanceof DeviceRegistered registered) {
      return new State(
          new Registration(
              registered.secretHash(),
              registered.metadata(),
              true,
              registered.registeredBy(),
              registered.registeredByType(),
              registered.at()),
          Map.of(),
          0,
          CommandQueue.EMPTY);
    } else if (event instanceof NonceUsed used) {
      return state.withNonce(used.nonce(), used.at(), used.expiresAt());
    } else if (event instanceof MetadataUpdated updated) {
      return state.withRegistration(state.registration().withMetadata(updated.metadata()));
    } else if (event instanceof EnabledChanged changed) {
      return state.withRegistration(state.registration().withEnabled(changed.enabled()));
    } else if (event instanceof CommandQueued queued) {
      return state.withCommands(
          state
              .commands()
              .withQueued(
                  new CommandQueue.QueuedCommand(
                      queued.commandId(),
                      queued.command(),
                      queued.format(),
                      queued.payload(),
                      queued.queuedAt(),
                      queued.expiresAt(),
                      CommandQueue.Status.QUEUED,
                      null,
                      null)));
    } else if (event instanceof CommandDelivered delivered) {
      return state.withCommands(
          state.commands().withDelivered(delivered.commandId(), delivered.receiver()));
    } else if (event instanceof CommandExpired expired) {
      return state.withCommands(
          state.commands().withStatus(expired.commandId(), CommandQueue.Status.EXPIRED));
    } else if (event instanceof CommandResponded responded) {
      return state.withCommands(
          state
              .commands()
              .withResponse(
                  responded.commandId(),
                  new CommandQueue.Response(
                      responded.status(),
                      responded.format(),
                      responded.payload(),
                      responded.at())));
    } else if (event instanceof CredentialAdded added) {
      return state.withCredentials(
          state
              .credentials()
              .with(
                  new DeviceCredentials.Credential(
                      added.type(),
                      added.authId(),
                      added.secretHash(),
                      added.encryptedSecret(),
                      added.at())));
    } else if (event instanceof CredentialRemoved removed) {
      return state.withCredentials(state.credentials().without(removed.type(), removed.authId()));
    } else if (event instanceof GatewaysSet set) {
      return state.withVia(set.via());
    } else if (event instanceof ActingForChanged changed) {
      return state.withActingFor(changed.device(), changed.acting());
    } else if (event instanceof AttributesUpdated updated) {
      return state.withAttributes(state.attributes().with(updated.change()));
    } else if (event instanceof AttributesDelivered delivered) {
      return state.withAttributes(state.attributes().deliveredUpTo(delivered.version()));
    } else if (event instanceof DeviceDeleted) {
      return State.EMPTY;
    }
    throw new IllegalArgumentException("Unknown event " + event.getClass());
  }
}
