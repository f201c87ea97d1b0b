package io.entwine.twin;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link DeviceTwin} is asked to do. Each command is handled by one handler of its concern
 * (see {@link DeviceTwin}'s table); commands between twins have no {@code replyTo}.
 *
 * <p>(Over 400 lines as one responsibility: it is only the list of the twin's commands, a record
 * each; their handling lives in the handler classes, so splitting the list would only scatter it.)
 */
public sealed interface TwinCommand extends CborSerializable {
  ActorRef<Reply> replyTo();

  /**
   * A command of the device itself, authenticated by the token it presents. {@code verifiedAgainst}
   * is the stored hash the sender already verified the token against (null when it has not).
   */
  interface DeviceToken {
    String token();

    String verifiedAgainst();
  }

  /** What every command that records a device event carries of it. */
  interface Reading {
    String eventId();

    String format();

    byte[] payload();

    /** The device's time, null when it gave none (then the arrival time). */
    Instant timestamp();

    /** When the edge received it, null for now. */
    Instant receivedAt();
  }

  /** {@code profile}: IBM v0002 deviceInfo and location, null when the device has neither. */
  public record Register(
      String secretHash,
      JsonNode metadata,
      DeviceProfile profile,
      String registeredBy,
      String registeredByType,
      Instant at,
      ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** Changes the metadata and/or the enabled flag; a null field is left as it is. */
  public record Update(JsonNode metadata, Boolean enabled, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * Sets the parts of the device's IBM v0002 profile that {@code change} holds (deviceInfo,
   * location); a null part is left as it is. {@link Reply.DeviceInfo} or NOT_FOUND.
   */
  public record UpdateProfile(DeviceProfile change, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * Persists the device's whole profile again as one {@link TwinEvent.ProfileUpdated}, now tagged
   * for the registry, so that the registry read model learns a profile set before profile changes
   * were tagged (docs/adr/0070). Nothing is persisted when the device has no profile. {@link
   * Reply.DeviceInfo} or NOT_FOUND.
   */
  public record RepublishProfile(Instant at, ActorRef<Reply> replyTo) implements TwinCommand {}

  public record Get(ActorRef<Reply> replyTo) implements TwinCommand {}

  public record Delete(Instant at, ActorRef<Reply> replyTo) implements TwinCommand {}

  /**
   * A device event, authenticated by the token the device presented. {@code verifiedAgainst} is the
   * stored hash the sender already verified the token against (null when it has not). The event's
   * fields are written beside the token ({@link JsonUnwrapped}), as they were before they became
   * one {@link EventPart}, so nodes of the previous version read it during a rolling upgrade.
   */
  public record RecordEvent(
      String token, String verifiedAgainst, @JsonUnwrapped EventPart event, ActorRef<Reply> replyTo)
      implements TwinCommand, DeviceToken {}

  /**
   * Several events the device sent one after another (MQTT publishes pipelined on one connection),
   * authenticated like {@link RecordEvent} and persisted in one write, in order: Done means all are
   * persisted, a refusal means none is.
   */
  public record RecordEvents(
      String token, String verifiedAgainst, List<EventPart> events, ActorRef<Reply> replyTo)
      implements TwinCommand, DeviceToken {}

  /**
   * One device event as every command that records one carries it; {@code qos} is the QoS the
   * device sent it at, the most live subscribers get it at.
   */
  public record EventPart(
      String eventId, String format, byte[] payload, Instant timestamp, Instant receivedAt, int qos)
      implements CborSerializable, Reading {}

  /**
   * An event an application sends on the device's behalf; the application is already authenticated
   * by an API key of the device's organization. Written flat like {@link RecordEvent}.
   */
  public record RecordApplicationEvent(
      String apiKey, @JsonUnwrapped EventPart event, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** Checks a device's token without recording anything (e.g. an MQTT CONNECT). */
  public record Authenticate(String token, String verifiedAgainst, ActorRef<Reply> replyTo)
      implements TwinCommand, DeviceToken {}

  /** The last event of one event id, or of every event id when {@code eventId} is null. */
  public record GetLastEvents(String eventId, ActorRef<Reply> replyTo) implements TwinCommand {}

  /** Queues a command for the device; {@code timeToLive} null means the configured default. */
  public record QueueCommand(
      String commandId,
      String command,
      String format,
      byte[] payload,
      Duration timeToLive,
      Instant at,
      ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * A connected device session that takes commands. Not persisted: it lasts as long as this
   * incarnation of the twin, and a later attach replaces it. With {@code deliverWaiting} the
   * commands already waiting are sent to it at once (a persistent MQTT session).
   */
  public record AttachSession(
      ActorRef<ToDevice> session, boolean deliverWaiting, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  public record DetachSession(ActorRef<ToDevice> session, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** The session handed the command to the device (MQTT: the device acknowledged it). */
  public record ConfirmDelivered(String commandId, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** What the twin pushes to the device's attached session (see {@link AttachSession}). */
  sealed interface ToDevice extends CborSerializable {
    DeviceKey device();
  }

  /** Sent by the twin to its attached session, once per waiting command. */
  public record DeliverCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload)
      implements ToDevice {}

  /**
   * Sent by the twin to its attached session after each change of its state document that leaves
   * desired leaves the device has not reported ({@code delta}), at {@code version}.
   */
  public record DeliverStateDelta(DeviceKey device, long version, JsonNode delta)
      implements ToDevice {}

  /** The pending and recent commands with their status ({@code GET .../commands}). */
  public record ListCommands(ActorRef<Reply> replyTo) implements TwinCommand {}

  /**
   * An application waits until {@code until} for the device's response to a command: answered with
   * {@link Reply.CommandResponse} when it comes (at once if it came already).
   */
  public record AwaitCommandResponse(String commandId, Instant until, ActorRef<Reply> replyTo)
      implements TwinCommand {}

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
      implements TwinCommand {}

  /**
   * A request waits until {@code until} for a command (Hono {@code hono-ttd}): the device's own
   * ({@code gateway} null) or a gateway's for this device. Answered with {@link
   * Reply.CommandToDeliver} (recorded as delivered) or {@link Reply.NoCommand}; the sender ends the
   * wait with {@link StopWaiting}.
   */
  public record WaitForCommand(
      String waiterId, DeviceKey gateway, Instant until, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * The waiting request is still there: the edge repeats its {@link WaitForCommand} while it waits,
   * so that a twin that restarted or moved to another node (and so forgot its waiters) learns of it
   * again. Changes nothing when the twin knows the wait, or has ended it; answered {@link
   * Reply.NoCommand} when another request waits for the device meanwhile.
   */
  public record RenewWait(
      String waiterId, DeviceKey gateway, Instant until, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** Ends a wait: {@code replyTo} is the waiting request's own reference. */
  public record StopWaiting(String waiterId, ActorRef<Reply> replyTo) implements TwinCommand {}

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
      implements TwinCommand {
    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /**
   * Twin to twin: {@code target}'s state delta at {@code version}, offered to this twin as one of
   * {@code target}'s gateways, for its own waiting request; passed on to the {@code remaining}
   * gateways when none waits here.
   */
  public record OfferStateDelta(
      DeviceKey target, long version, JsonNode delta, List<DeviceKey> remaining)
      implements TwinCommand {
    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /**
   * Twin to twin: {@code device} listed (or no longer lists) this twin as one of its gateways; a
   * gateway's own waiting request asks those devices for their waiting commands.
   */
  public record ActFor(DeviceKey device, boolean acting, Instant at) implements TwinCommand {
    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /**
   * Sharding's stop message for a twin (passivation, hand-off of its shard); only sharding sends
   * it, on the twin's own node.
   */
  public record Passivate() implements TwinCommand {
    public static final Passivate INSTANCE = new Passivate();

    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /**
   * Twin to twin: gateway {@code gateway} waits now; offer it this twin's next command, or with
   * {@code everyWaiting} (an MQTT gateway session resumed) every command waiting.
   */
  public record OfferWaitingTo(DeviceKey gateway, boolean everyWaiting) implements TwinCommand {
    public OfferWaitingTo(DeviceKey gateway) {
      this(gateway, false);
    }

    @Override
    public ActorRef<Reply> replyTo() {
      return null;
    }
  }

  /** Twin to twin: a gateway's waiting request took this twin's command. */
  public record DeliveredThroughGateway(String commandId, DeviceKey gateway, Instant at)
      implements TwinCommand {
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
  /**
   * Done when what {@code gateway} sends for this device may reach it (registered, enabled, {@code
   * gateway} in its {@code via}); the refusal otherwise. Nothing is persisted (IBM gateways' device
   * management for the devices behind them).
   */
  public record CheckSender(DeviceKey gateway, ActorRef<Reply> replyTo) implements TwinCommand {}

  public record RecordVerifiedEvent(
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      DeviceKey gateway,
      String nonce,
      ActorRef<Reply> replyTo)
      implements TwinCommand, Reading {}

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
      implements TwinCommand {}

  public record RemoveCredential(String type, String authId, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  public record ListCredentials(ActorRef<Reply> replyTo) implements TwinCommand {}

  /**
   * Like {@link Authenticate}, with the password of the hashed-password credential {@code authId}.
   */
  public record AuthenticateCredential(
      String authId, String password, String verifiedAgainst, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * Done when the device has an x509-cert credential for {@code subjectDn}, the subject of a client
   * certificate the edge has already checked against the tenant's trusted CA.
   */
  public record AuthenticateCertificate(String subjectDn, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** The encrypted PSK, for the edge to check a signature with. */
  public record GetPsk(ActorRef<Reply> replyTo) implements TwinCommand {}

  /** The gateways allowed to act for the device (Hono {@code via}); replaces the list. */
  public record SetGateways(List<DeviceKey> via, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * Adds {@code gateway} to the device's {@code via} ({@code joined}) or takes it out: the device
   * joins or leaves the gateway's resource group (docs/adr/0074). Done, or NOT_FOUND.
   */
  public record ChangeGateway(
      DeviceKey gateway, boolean joined, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** {@link Reply.GatewayLinks} of a registered device, NOT_FOUND otherwise. */
  public record GetGatewayLinks(ActorRef<Reply> replyTo) implements TwinCommand {}

  /**
   * Merges {@code attributes} into the device's shared attributes (a null value removes one); the
   * change waits as a downlink for integration devices. Answers {@link Reply.Attributes}.
   */
  public record SetAttributes(ObjectNode attributes, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /** {@link Reply.Attributes}. */
  public record GetAttributes(ActorRef<Reply> replyTo) implements TwinCommand {}

  /** {@link Reply.Downlink}: what an integration hands the device in its next response. */
  public record TakeDownlink(ActorRef<Reply> replyTo) implements TwinCommand {}

  /** The attribute changes up to {@code version} were handed to the device. */
  public record ConfirmAttributesDelivered(long version, Instant at, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * The state delta of {@code version} was handed to the device (in a downlink, or to a gateway's
   * waiting request, which sends it twin to twin without {@code replyTo}); no request gets that
   * version again. Nothing is recorded, as for a Hono request's delta. Done.
   */
  public record ConfirmDeltaDelivered(long version, ActorRef<Reply> replyTo)
      implements TwinCommand {}

  // ---- the twin's state document (StateDocument, issue 19) ----

  /** The state document as applications read it: {@link Reply.StateView}. */
  public record GetState(ActorRef<Reply> replyTo) implements TwinCommand {}

  /** The state document as the device itself reads it (for its delta): {@link Reply.StateView}. */
  public record GetDeviceState(String token, String verifiedAgainst, ActorRef<Reply> replyTo)
      implements TwinCommand, DeviceToken {}

  /**
   * An application merges {@code document} into the desired state (RFC 7396), or with {@code
   * replace} makes the desired state equal to it. With {@code expectedVersion} it is applied only
   * at that version ({@link Reply.StateVersionMismatch} otherwise). Answers {@link
   * Reply.StateView}.
   */
  public record ChangeDesiredState(
      ObjectNode document,
      boolean replace,
      Long expectedVersion,
      Instant at,
      ActorRef<Reply> replyTo)
      implements TwinCommand {}

  /**
   * The JSON objects of events the device sent (already recorded), whose event ids its type names
   * as reporting state, merged into its reported state in order; a patch too deep or making the
   * state too large is left out. Done after the persist.
   */
  public record MergeReportedFromEvents(
      List<ObjectNode> patches, Instant at, ActorRef<Reply> replyTo) implements TwinCommand {}

  /**
   * The device merges {@code patch} into its reported state (RFC 7396); {@code expectedVersion} as
   * in {@link ChangeDesiredState}. Answers {@link Reply.StateView} after the persist.
   */
  public record PatchReportedState(
      String token,
      String verifiedAgainst,
      ObjectNode patch,
      Long expectedVersion,
      Instant at,
      ActorRef<Reply> replyTo)
      implements TwinCommand, DeviceToken {}

  /**
   * The device merges {@code patches} into its reported state one after another (each as {@link
   * PatchReportedState} without a version), in one write. Answers {@link
   * Reply.ReportedPatchesApplied} after the persist; a refused patch leaves the others applied.
   */
  public record PatchReportedStates(
      String token,
      String verifiedAgainst,
      List<ObjectNode> patches,
      Instant at,
      ActorRef<Reply> replyTo)
      implements TwinCommand, DeviceToken {}
}
