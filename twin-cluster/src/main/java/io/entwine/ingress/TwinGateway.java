package io.entwine.ingress;

import io.entwine.concurrent.AsyncPermits;
import io.entwine.concurrent.Failures;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.metrics.Meters;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.registry.Organization;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The one path from any protocol edge to the entities: asks with a timeout, the slow-hash
 * verification round when an entity has not seen a presented secret before on this node, and the
 * refusal of credentials the node knows cannot match ({@link AuthenticationGuard}). Edges record
 * events and authenticate here, and reach everything else through the typed request classes it
 * hands out ({@link #devices()}, {@link #commands()}, {@link #credentials()}, {@link
 * #organizations()}, {@link #deviceTypes()}, {@link #states()}), which alone build the entities'
 * commands (docs/adr/0046).
 *
 * <p>Over 400 lines as one responsibility: the verified, guarded and bounded asks and the event
 * recording that uses them belong together, so the admission rules (verification, guard, bound on
 * events in flight) apply in one place and no edge asks an entity around them.
 */
public final class TwinGateway {
  private final ClusterSharding sharding;
  private final VerifiedSecrets secrets;
  private final Duration askTimeout;
  private final Duration waitRenewal;
  private final ActorSystem<?> system;
  // Continuations are trivial; running them on the completing thread avoids the JDK common pool,
  // which on a 2-core host starts a thread per task
  // (docs/performance.md, "The stack measured bare").
  private final Executor sameThread = Runnable::run;
  private final IngestMeters meters;
  private final SlowAcknowledgements slowAcknowledgements;
  private final ApiKeyChecks apiKeyChecks;
  private final AsyncPermits eventPermits;
  private final AuthenticationGuard guard;
  private final DeviceRequests devices;
  private final CommandRequests commands;
  private final CredentialRequests credentials;
  private final OrganizationRequests organizations;
  private final DeviceTypeRequests deviceTypes;
  private final ManagementRequests management;
  private final StateRequests states;
  private final ReportedFromEvents reportedFromEvents;
  private static final String BUSY_MESSAGE =
      "Too many credential checks in progress on this node; retry in a second";

  public TwinGateway(ActorSystem<?> system, VerifiedSecrets secrets, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.secrets = secrets;
    this.askTimeout = askTimeout;
    this.waitRenewal = system.settings().config().getDuration("entwine.twin.command-wait-renewal");
    this.system = system;
    this.slowAcknowledgements = SlowAcknowledgements.from(system.settings().config());
    this.meters = new IngestMeters(Meters.registry(system), slowAcknowledgements);
    this.apiKeyChecks =
        new ApiKeyChecks(
            this::checkApiKey,
            system.settings().config().getDuration("entwine.organizations.settings-cache-ttl"),
            system.settings().config().getDuration("entwine.organizations.api-key-grace"));
    this.eventPermits =
        new AsyncPermits(
            "entwine.max-events-in-flight",
            system.settings().config().getInt("entwine.max-events-in-flight"));
    this.guard = AuthenticationGuard.get(system);
    this.devices = new DeviceRequests(this);
    this.commands = new CommandRequests(this);
    this.credentials = new CredentialRequests(this);
    this.organizations = new OrganizationRequests(this);
    this.deviceTypes = new DeviceTypeRequests(this);
    this.management = new ManagementRequests(this);
    this.reportedFromEvents = new ReportedFromEvents(this, OrganizationPolicies.cacheTtl(system));
    this.states = new StateRequests(this, reportedFromEvents);
  }

  public Duration askTimeout() {
    return askTimeout;
  }

  /** The last slow acknowledgements with their stages (docs/adr/0079). */
  public SlowAcknowledgements slowAcknowledgements() {
    return slowAcknowledgements;
  }

  /** The node's bound on device events being persisted (for the metrics endpoint). */
  public AsyncPermits eventPermits() {
    return eventPermits;
  }

  /** A device's registration, metadata, attributes and last events. */
  public DeviceRequests devices() {
    return devices;
  }

  /** Commands to devices and their responses. */
  public CommandRequests commands() {
    return commands;
  }

  /** Further device credentials, the indexes that find devices by them, gateways. */
  public CredentialRequests credentials() {
    return credentials;
  }

  /** Organizations' settings, API keys, limits and device quota. */
  public OrganizationRequests organizations() {
    return organizations;
  }

  /** Organizations' device types (IBM platform API v0002). */
  public DeviceTypeRequests deviceTypes() {
    return deviceTypes;
  }

  /** IBM's device management: requests, managed devices, diagnostics. */
  public ManagementRequests management() {
    return management;
  }

  /** Devices' state documents: reported, desired, delta. */
  public StateRequests states() {
    return states;
  }

  // ---- for the request classes of this package, which build the entities' commands ----

  EntityRef<TwinCommand> twin(DeviceKey device) {
    return sharding.entityRefFor(DeviceTwin.ENTITY_KEY, device.entityId());
  }

  EntityRef<Organization.Command> organization(String orgId) {
    return sharding.entityRefFor(Organization.ENTITY_KEY, orgId);
  }

  <T> EntityRef<T> entity(EntityTypeKey<T> type, String entityId) {
    return sharding.entityRefFor(type, entityId);
  }

  AuthenticationGuard guard() {
    return guard;
  }

  IngestMeters meters() {
    return meters;
  }

  VerifiedSecrets secrets() {
    return secrets;
  }

  ActorSystem<?> system() {
    return system;
  }

  Duration waitRenewal() {
    return waitRenewal;
  }

  /** Records a device event on its twin; Done means persisted. */
  public CompletionStage<Reply> recordEvent(DeviceMessage message, String token) {
    return recordEvent(message, token, null);
  }

  /**
   * Records a device event, sent from {@code address} (null when unknown), on its twin unless the
   * node knows the device's token cannot match ({@link AuthenticationGuard}); Done means persisted.
   */
  public CompletionStage<Reply> recordEvent(DeviceMessage message, String token, String address) {
    return counted(
        message,
        () ->
            askGuarded(
                AuthenticationGuard.deviceKey(message.device()),
                address,
                twin(message.device()),
                (verifiedAgainst, replyTo) ->
                    new TwinCommand.RecordEvent(token, verifiedAgainst, part(message), replyTo),
                token));
  }

  /**
   * Records events one device sent one after another, all of {@code messages}' device, in one
   * write; Done means all are persisted.
   */
  public CompletionStage<Reply> recordEvents(List<DeviceMessage> messages, String token) {
    List<TwinCommand.EventPart> parts = messages.stream().map(TwinGateway::part).toList();
    return counted(
        messages,
        () ->
            askVerified(
                twin(messages.get(0).device()),
                (verifiedAgainst, replyTo) ->
                    new TwinCommand.RecordEvents(token, verifiedAgainst, parts, replyTo),
                token,
                null));
  }

  /**
   * Records an event that an application, authenticated by {@code apiKey} of the device's
   * organization, sends on the device's behalf; Done means persisted.
   */
  public CompletionStage<Reply> recordApplicationEvent(DeviceMessage message, String apiKey) {
    return counted(
        message,
        () ->
            ask(
                twin(message.device()),
                replyTo -> new TwinCommand.RecordApplicationEvent(apiKey, part(message), replyTo)));
  }

  /** Done when {@code token} is the device's token and the device is enabled. */
  public CompletionStage<Reply> authenticateDevice(DeviceKey device, String token) {
    return authenticateDevice(device, token, null);
  }

  /** As {@link #authenticateDevice(DeviceKey, String)}, for a client at {@code address}. */
  public CompletionStage<Reply> authenticateDevice(DeviceKey device, String token, String address) {
    return askGuarded(
        AuthenticationGuard.deviceKey(device),
        address,
        twin(device),
        (verifiedAgainst, replyTo) -> new TwinCommand.Authenticate(token, verifiedAgainst, replyTo),
        token);
  }

  /**
   * The device's PSK, encrypted ({@link Reply.EncryptedPsk}), or a rejection; for a client at
   * {@code address}, refused unasked when the node knows the device has none.
   */
  public CompletionStage<Reply> devicePsk(DeviceKey device, String address) {
    String key = AuthenticationGuard.pskKey(device);
    Reply.Rejected refused = guard.refusal(key, address);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    long stamp = guard.stamp();
    return ask(twin(device), TwinCommand.GetPsk::new)
        .thenApplyAsync(
            reply -> {
              if (reply instanceof Reply.Rejected rejected) {
                if (cannotMatch(rejected)) {
                  guard.cannotMatch(key, address, stamp);
                }
              } else {
                guard.matched(key);
              }
              return reply;
            },
            sameThread);
  }

  /** An entity's answer that no secret presented for the key can change. */
  private static boolean cannotMatch(Reply.Rejected rejected) {
    return rejected.reason() == Rejection.UNAUTHORIZED || rejected.reason() == Rejection.NOT_FOUND;
  }

  /**
   * Done when {@code token} is the token of API key {@code key} of organization {@code orgId}; a
   * recent pass on this node answers without asking the organization ({@link ApiKeyChecks}).
   */
  public CompletionStage<Reply> authenticateApiKey(String orgId, String key, String token) {
    return authenticateApiKey(orgId, key, token, null);
  }

  /** As {@link #authenticateApiKey(String, String, String)}, for a client at {@code address}. */
  public CompletionStage<Reply> authenticateApiKey(
      String orgId, String key, String token, String address) {
    return apiKeyChecks.authenticate(orgId, key, token, address);
  }

  /** Makes this node ask the organization at the next use of {@code key} (it was revoked here). */
  public void forgetApiKey(String orgId, String key) {
    apiKeyChecks.forget(orgId, key);
  }

  private CompletionStage<Reply> checkApiKey(
      String orgId, String key, String token, String address) {
    return askVerified(
        organization(orgId),
        (verifiedAgainst, replyTo) ->
            new Organization.Authenticate(key, token, verifiedAgainst, replyTo),
        token,
        address);
  }

  /**
   * Records an event whose sender the edge authenticated itself (Hono credential, Tencent
   * signature, unauthenticated device its tenant allows), or that {@code gateway} sends for the
   * device; Done means persisted.
   */
  public CompletionStage<Reply> recordVerifiedEvent(
      DeviceMessage message, DeviceKey gateway, String nonce) {
    return counted(
        message,
        () ->
            ask(
                twin(message.device()),
                replyTo ->
                    new TwinCommand.RecordVerifiedEvent(
                        message.eventId(),
                        message.format(),
                        message.payload(),
                        message.timestamp(),
                        message.receivedAt(),
                        gateway,
                        nonce,
                        replyTo)));
  }

  /** What of {@code message} its twin records. */
  private static TwinCommand.EventPart part(DeviceMessage message) {
    return new TwinCommand.EventPart(
        message.eventId(),
        message.format(),
        message.payload(),
        message.timestamp(),
        message.receivedAt(),
        message.qos());
  }

  private CompletionStage<Reply> counted(
      DeviceMessage message, Supplier<CompletionStage<Reply>> record) {
    return counted(List.of(message), record);
  }

  /**
   * Runs {@code record} once the node has room for {@code messages} under its bound on events in
   * flight, counting each as acknowledged once it is Done, or as refused ({@link IngestMeters});
   * merges into reported state the events whose type names them ({@link ReportedFromEvents}) before
   * answering.
   */
  private CompletionStage<Reply> counted(
      List<DeviceMessage> messages, Supplier<CompletionStage<Reply>> record) {
    AckStages timing = new AckStages(messages.isEmpty() ? null : messages.get(0).receivedAt());
    // whenComplete runs on the completing thread, never the JDK common pool
    return eventPermits
        .run(
            messages.size(),
            () -> {
              timing.asked();
              return record.get();
            })
        .thenComposeAsync(reply -> reportedFromEvents.afterRecorded(messages, reply), sameThread)
        .whenComplete((reply, failure) -> meters.recorded(messages, reply, failure, timing));
  }

  <C> CompletionStage<Reply> ask(EntityRef<C> entity, Function<ActorRef<Reply>, C> command) {
    return entity.ask(command::apply, askTimeout);
  }

  /**
   * {@link #askVerified}, unless the node knows that nothing presented for {@code key} matches; an
   * entity that refuses before any verification round (not registered) makes it remember that.
   */
  <C> CompletionStage<Reply> askGuarded(
      String key,
      String address,
      EntityRef<C> entity,
      BiFunction<String, ActorRef<Reply>, C> command,
      String secret) {
    Reply.Rejected refused = guard.refusal(key, address);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    long stamp = guard.stamp();
    return askVerified(
            entity, command, secret, address, () -> guard.cannotMatch(key, address, stamp))
        .thenApplyAsync(
            reply -> {
              if (!(reply instanceof Reply.Rejected)) {
                guard.matched(key);
              }
              return reply;
            },
            sameThread);
  }

  <C> CompletionStage<Reply> askVerified(
      EntityRef<C> entity,
      BiFunction<String, ActorRef<Reply>, C> command,
      String secret,
      String address) {
    return askVerified(entity, command, secret, address, () -> {});
  }

  /**
   * Asks; if the entity has not seen the secret on its node, verifies it here (slow hash, off the
   * actor) and asks again naming the hash it was verified against, so the entity's node, which may
   * be another one, accepts and remembers it without hashing again. {@code unmatchable} runs when
   * the entity refuses at once as unauthorized: it holds no credential the secret could match. A
   * slow hash is bounded (docs/adr/0043): a wrong secret counts against {@code address}, an address
   * past its limit gets no new slow hash (429), and a full slow-hash queue answers 503 at once.
   */
  <C> CompletionStage<Reply> askVerified(
      EntityRef<C> entity,
      BiFunction<String, ActorRef<Reply>, C> command,
      String secret,
      String address,
      Runnable unmatchable) {
    return ask(entity, replyTo -> command.apply(null, replyTo))
        .thenComposeAsync(
            reply -> {
              if (reply instanceof Reply.Rejected rejected
                  && rejected.reason() == Rejection.UNAUTHORIZED) {
                unmatchable.run();
              }
              if (reply instanceof Reply.NeedsVerification needs) {
                String storedHash = needs.secretHash();
                if (!secrets.isKnown(storedHash, secret)) {
                  Reply.Rejected limited = guard.hashRefusal(address);
                  if (limited != null) {
                    return CompletableFuture.completedFuture(limited);
                  }
                }
                return secrets
                    .verify(storedHash, secret)
                    .handle(
                        (ok, failure) -> {
                          if (failure != null) {
                            return busyOr(failure);
                          }
                          if (!ok) {
                            guard.wrongSecret(address);
                            return unauthorized();
                          }
                          return ask(entity, replyTo -> command.apply(storedHash, replyTo));
                        })
                    .thenComposeAsync(next -> next, sameThread);
              }
              return CompletableFuture.completedFuture(reply);
            },
            sameThread);
  }

  /** A full slow-hash queue answers 503 at once (the client retries); anything else fails. */
  static CompletionStage<Reply> busyOr(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    if (cause instanceof VerifiedSecrets.Busy) {
      return CompletableFuture.completedFuture(
          new Reply.Rejected(Rejection.UNAVAILABLE, BUSY_MESSAGE));
    }
    return CompletableFuture.failedFuture(cause);
  }

  private static CompletionStage<Reply> unauthorized() {
    return CompletableFuture.completedFuture(Reply.Rejected.unauthorized());
  }
}
