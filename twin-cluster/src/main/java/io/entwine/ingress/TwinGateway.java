package io.entwine.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.concurrent.AsyncPermits;
import io.entwine.concurrent.Failures;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.registry.AuthIdIndex;
import io.entwine.registry.DeviceIdIndex;
import io.entwine.registry.Organization;
import io.entwine.registry.TrustedCaIndex;
import io.entwine.twin.DeviceTwin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The one path from any protocol edge to the entities: asks with a timeout, the slow-hash
 * verification round when an entity has not seen a presented secret before on this node, and the
 * refusal of credentials the node knows cannot match ({@link AuthenticationGuard}).
 *
 * <p>Longer than the project's files usually are on purpose: every protocol's call into the
 * entities is here, so the admission rules (verification, guard, bound on events in flight) apply
 * in one place and no edge asks an entity around them.
 */
public final class TwinGateway {
  private final ClusterSharding sharding;
  private final VerifiedSecrets secrets;
  private final Duration askTimeout;
  private final Duration waitRenewal;
  private final ActorSystem<?> system;
  // Continuations are trivial; running them on the completing thread avoids the JDK common pool,
  // which on a 2-core host starts a thread per task (DESIGN.md).
  private final Executor sameThread = Runnable::run;
  private final AcknowledgedEvents acknowledged = new AcknowledgedEvents();
  private final ApiKeyChecks apiKeyChecks;
  private final AsyncPermits eventPermits;
  private final AuthenticationGuard guard;
  private static final String BUSY_MESSAGE =
      "Too many credential checks in progress on this node; retry in a second";

  public TwinGateway(ActorSystem<?> system, VerifiedSecrets secrets, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.secrets = secrets;
    this.askTimeout = askTimeout;
    this.waitRenewal = system.settings().config().getDuration("entwine.twin.command-wait-renewal");
    this.system = system;
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
  }

  public Duration askTimeout() {
    return askTimeout;
  }

  /** The device events this gateway saw persisted, per protocol (for the metrics endpoint). */
  public AcknowledgedEvents acknowledgedEvents() {
    return acknowledged;
  }

  /** The node's bound on device events being persisted (for the metrics endpoint). */
  public AsyncPermits eventPermits() {
    return eventPermits;
  }

  public EntityRef<DeviceTwin.Command> twin(DeviceKey device) {
    return sharding.entityRefFor(DeviceTwin.ENTITY_KEY, device.entityId());
  }

  public EntityRef<Organization.Command> organization(String orgId) {
    return sharding.entityRefFor(Organization.ENTITY_KEY, orgId);
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
                    new DeviceTwin.RecordEvent(
                        token,
                        verifiedAgainst,
                        message.eventId(),
                        message.format(),
                        message.payload(),
                        message.timestamp(),
                        message.receivedAt(),
                        message.qos(),
                        replyTo),
                token));
  }

  /**
   * Records events one device sent one after another, all of {@code messages}' device, in one
   * write; Done means all are persisted.
   */
  public CompletionStage<Reply> recordEvents(List<DeviceMessage> messages, String token) {
    List<DeviceTwin.EventPart> parts =
        messages.stream()
            .map(
                m ->
                    new DeviceTwin.EventPart(
                        m.eventId(),
                        m.format(),
                        m.payload(),
                        m.timestamp(),
                        m.receivedAt(),
                        m.qos()))
            .toList();
    return counted(
        messages,
        () ->
            askVerified(
                twin(messages.get(0).device()),
                (verifiedAgainst, replyTo) ->
                    new DeviceTwin.RecordEvents(token, verifiedAgainst, parts, replyTo),
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
                replyTo ->
                    new DeviceTwin.RecordApplicationEvent(
                        apiKey,
                        message.eventId(),
                        message.format(),
                        message.payload(),
                        message.timestamp(),
                        message.receivedAt(),
                        message.qos(),
                        replyTo)));
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
        (verifiedAgainst, replyTo) -> new DeviceTwin.Authenticate(token, verifiedAgainst, replyTo),
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
    return ask(twin(device), DeviceTwin.GetPsk::new)
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
                    new DeviceTwin.RecordVerifiedEvent(
                        message.eventId(),
                        message.format(),
                        message.payload(),
                        message.timestamp(),
                        message.receivedAt(),
                        gateway,
                        nonce,
                        replyTo)));
  }

  private CompletionStage<Reply> counted(
      DeviceMessage message, Supplier<CompletionStage<Reply>> record) {
    return counted(List.of(message), record);
  }

  /**
   * Runs {@code record} once the node has room for {@code messages} under its bound on events in
   * flight, counting each as acknowledged once it is Done.
   */
  private CompletionStage<Reply> counted(
      List<DeviceMessage> messages, Supplier<CompletionStage<Reply>> record) {
    return eventPermits
        .run(messages.size(), record)
        .thenApplyAsync(
            reply -> {
              if (reply instanceof Reply.Done) {
                messages.forEach(message -> acknowledged.count(message.origin()));
              }
              return reply;
            },
            sameThread);
  }

  // ---- Hono identities ----

  /**
   * The device that holds the hashed-password credential {@code authId} of {@code org}, when {@code
   * password} is its password: {@link Reply.DeviceFound}, or a rejection (UNAUTHORIZED for any
   * unknown auth-id or wrong password, DISABLED).
   */
  public CompletionStage<Reply> authenticateCredential(String org, String authId, String password) {
    return authenticateCredential(org, authId, password, null);
  }

  /**
   * As {@link #authenticateCredential(String, String, String)}, for a client at {@code address}: an
   * auth-id the node knows to be unknown is refused without asking the index.
   */
  public CompletionStage<Reply> authenticateCredential(
      String org, String authId, String password, String address) {
    String key = AuthenticationGuard.authIdKey(org, authId);
    Reply.Rejected refused = guard.refusal(key, address);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    long stamp = guard.stamp();
    return ask(authIdIndex(org, authId), AuthIdIndex.Lookup::new)
        .thenComposeAsync(
            found -> {
              if (!(found instanceof Reply.DeviceFound device)) {
                guard.cannotMatch(key, address, stamp);
                return CompletableFuture.completedFuture(Reply.Rejected.unauthorized());
              }
              return askVerified(
                      twin(device.device()),
                      (verifiedAgainst, replyTo) ->
                          new DeviceTwin.AuthenticateCredential(
                              authId, password, verifiedAgainst, replyTo),
                      password,
                      address)
                  .thenApply(
                      reply -> {
                        if (!(reply instanceof Reply.Done)) {
                          return reply;
                        }
                        guard.matched(key);
                        return device;
                      });
            },
            sameThread);
  }

  /**
   * The device that holds the x509-cert credential {@code subjectDn} (RFC 2253) of {@code org}:
   * {@link Reply.DeviceFound}, or a rejection (UNAUTHORIZED for an unknown subject, DISABLED). The
   * caller has validated the client certificate against the tenant's trusted CA.
   */
  public CompletionStage<Reply> authenticateCertificate(String org, String subjectDn) {
    return ask(authIdIndex(org, subjectDn), AuthIdIndex.Lookup::new)
        .thenComposeAsync(
            found -> {
              if (!(found instanceof Reply.DeviceFound device)) {
                return CompletableFuture.completedFuture(Reply.Rejected.unauthorized());
              }
              return ask(
                      twin(device.device()),
                      replyTo -> new DeviceTwin.AuthenticateCertificate(subjectDn, replyTo))
                  .thenApply(reply -> reply instanceof Reply.Done ? device : reply);
            },
            sameThread);
  }

  /** The tenant that trusts the CA {@code subjectDn}: {@link Reply.TenantFound} or NOT_FOUND. */
  public CompletionStage<Reply> tenantTrusting(String subjectDn) {
    return ask(trustedCaIndex(subjectDn), TrustedCaIndex.Lookup::new);
  }

  public CompletionStage<Reply> claimTrustedCa(String org, String subjectDn) {
    return ask(trustedCaIndex(subjectDn), replyTo -> new TrustedCaIndex.Claim(org, replyTo));
  }

  public CompletionStage<Reply> releaseTrustedCa(String org, String subjectDn) {
    return ask(trustedCaIndex(subjectDn), replyTo -> new TrustedCaIndex.Release(org, replyTo));
  }

  private EntityRef<TrustedCaIndex.Command> trustedCaIndex(String subjectDn) {
    return sharding.entityRefFor(TrustedCaIndex.ENTITY_KEY, subjectDn);
  }

  /**
   * The registered device with id {@code id} in {@code org}, whatever its type: {@link
   * Reply.DeviceFound}, NOT_FOUND, or ALREADY_EXISTS when the id is registered under several types
   * (ambiguous for protocols that address devices by id alone).
   */
  public CompletionStage<Reply> resolveDeviceId(String org, String id) {
    return ask(deviceIdIndex(org, id), DeviceIdIndex.Lookup::new)
        .thenComposeAsync(
            reply -> {
              List<String> types = ((Reply.DeviceTypes) reply).types();
              if (types.size() == 1) {
                return CompletableFuture.completedFuture(
                    new Reply.DeviceFound(new DeviceKey(org, types.get(0), id)));
              }
              return registeredAmong(org, id, types);
            },
            sameThread);
  }

  /** Keeps the types whose twin is registered (the index may name a failed registration). */
  private CompletionStage<Reply> registeredAmong(String org, String id, List<String> types) {
    List<CompletableFuture<Reply>> asks = new ArrayList<>();
    for (String type : types) {
      asks.add(ask(twin(new DeviceKey(org, type, id)), DeviceTwin.Get::new).toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<DeviceKey> registered = new ArrayList<>();
              for (int i = 0; i < types.size(); i++) {
                if (asks.get(i).join() instanceof Reply.DeviceInfo) {
                  registered.add(new DeviceKey(org, types.get(i), id));
                }
              }
              if (registered.size() == 1) {
                return new Reply.DeviceFound(registered.get(0));
              }
              if (registered.isEmpty()) {
                return new Reply.Rejected(
                    Rejection.NOT_FOUND, "Device '" + id + "' is not registered");
              }
              return new Reply.Rejected(
                  Rejection.ALREADY_EXISTS,
                  "Device id '"
                      + id
                      + "' is registered under several device types ("
                      + String.join(", ", registered.stream().map(DeviceKey::type).toList())
                      + "); it cannot be addressed by id alone");
            });
  }

  /**
   * Registers {@code device} with {@code token} (slow-hashed off the actor): {@link
   * Reply.DeviceInfo}, ALREADY_EXISTS, or FORBIDDEN when the organization is at its device quota
   * (nothing is registered then). Every API that registers devices comes through here.
   */
  public CompletionStage<Reply> registerDevice(
      DeviceKey device,
      String token,
      JsonNode metadata,
      String registeredBy,
      String registeredByType) {
    return reserveDevices(device.org(), 1)
        .thenComposeAsync(
            reserved ->
                reserved instanceof Reply.Rejected
                    ? CompletableFuture.completedFuture(reserved)
                    : registerReserved(device, token, metadata, registeredBy, registeredByType),
            sameThread);
  }

  /**
   * Registers {@code device} for which one device of the quota was reserved ({@link
   * #reserveDevices}); releases it when the device is not registered (it existed already). The id
   * is indexed first, so a bare Hono device id resolves as soon as the registration is answered; a
   * registration that fails after this leaves an entry the resolver ignores. A registration that
   * did not answer keeps its reservation: the count errs on the side of the quota.
   */
  public CompletionStage<Reply> registerReserved(
      DeviceKey device,
      String token,
      JsonNode metadata,
      String registeredBy,
      String registeredByType) {
    return indexDeviceId(device)
        .thenComposeAsync(indexed -> secrets.hash(token), sameThread)
        .thenApplyAsync(
            secretHash -> {
              // before the twin is registered: a request that asks after this may remember nothing
              forgetUnknown(device);
              return secretHash;
            },
            sameThread)
        .thenComposeAsync(
            secretHash ->
                ask(
                    twin(device),
                    replyTo ->
                        new DeviceTwin.Register(
                            secretHash,
                            metadata,
                            registeredBy,
                            registeredByType,
                            Timestamps.now(),
                            replyTo)),
            sameThread)
        .thenComposeAsync(
            reply ->
                reply instanceof Reply.Rejected
                    ? releaseDevices(device.org(), 1).thenApply(released -> reply)
                    : CompletableFuture.completedFuture(reply),
            sameThread);
  }

  /**
   * Counts {@code count} devices about to be registered in {@code org} against its quota: Done, or
   * FORBIDDEN (nothing counted) past the quota.
   */
  public CompletionStage<Reply> reserveDevices(String org, int count) {
    return ask(organization(org), replyTo -> new Organization.ReserveDevices(count, replyTo));
  }

  /** Uncounts devices deleted, or reserved and then not registered. */
  public CompletionStage<Reply> releaseDevices(String org, int count) {
    return ask(organization(org), replyTo -> new Organization.ReleaseDevices(count, replyTo));
  }

  public CompletionStage<Reply> indexDeviceId(DeviceKey device) {
    return ask(
        deviceIdIndex(device.org(), device.id()),
        replyTo -> new DeviceIdIndex.Add(device.type(), replyTo));
  }

  public CompletionStage<Reply> unindexDeviceId(DeviceKey device) {
    return ask(
        deviceIdIndex(device.org(), device.id()),
        replyTo -> new DeviceIdIndex.Remove(device.type(), replyTo));
  }

  /**
   * Makes every node ask the entities again for {@code device}'s token and PSK: call before a
   * registration or a new credential takes effect.
   */
  public void forgetUnknown(DeviceKey device) {
    guard.forget(AuthenticationGuard.deviceKey(device));
    guard.forget(AuthenticationGuard.pskKey(device));
  }

  /** Done, or ALREADY_EXISTS when another device of the organization holds {@code authId}. */
  public CompletionStage<Reply> claimAuthId(DeviceKey device, String authId) {
    guard.forget(AuthenticationGuard.authIdKey(device.org(), authId));
    return ask(
        authIdIndex(device.org(), authId), replyTo -> new AuthIdIndex.Claim(device, replyTo));
  }

  public CompletionStage<Reply> releaseAuthId(DeviceKey device, String authId) {
    return ask(
        authIdIndex(device.org(), authId), replyTo -> new AuthIdIndex.Release(device, replyTo));
  }

  private EntityRef<AuthIdIndex.Command> authIdIndex(String org, String authId) {
    return sharding.entityRefFor(AuthIdIndex.ENTITY_KEY, AuthIdIndex.entityId(org, authId));
  }

  private EntityRef<DeviceIdIndex.Command> deviceIdIndex(String org, String id) {
    return sharding.entityRefFor(DeviceIdIndex.ENTITY_KEY, DeviceIdIndex.entityId(org, id));
  }

  // ---- commands ----

  /**
   * Records the device's response ({@code status}, payload) to command {@code commandId}, sent by
   * {@code gateway} for it (null: by the device): Done when an application waited for it.
   */
  public CompletionStage<Reply> respondToCommand(
      DeviceKey device,
      String commandId,
      int status,
      String format,
      byte[] payload,
      DeviceKey gateway) {
    return ask(
        twin(device),
        replyTo ->
            new DeviceTwin.RespondToCommand(
                commandId, status, format, payload, gateway, Timestamps.now(), replyTo));
  }

  /**
   * Waits up to {@code timeout} for the device's response to a queued command: {@link
   * Reply.CommandResponse}, or TIMED_OUT when none came in time.
   */
  public CompletionStage<Reply> awaitCommandResponse(
      DeviceKey device, String commandId, Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    return twin(device)
        .<Reply>ask(
            replyTo -> new DeviceTwin.AwaitCommandResponse(commandId, until, replyTo), timeout)
        .exceptionally(
            failure -> {
              if (isTimeout(failure)) {
                return new Reply.Rejected(
                    Rejection.TIMED_OUT,
                    "No response to command '"
                        + commandId
                        + "' within "
                        + timeout.toSeconds()
                        + " s");
              }
              throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
            });
  }

  /**
   * A request that waits up to {@code ttd} for a command for {@code target} (Hono {@code
   * hono-ttd}); {@code gateway} is the gateway waiting for it, null for the device itself (a
   * gateway's own wait also takes commands its devices offer it). Answers {@link
   * Reply.CommandToDeliver} or {@link Reply.NoCommand}. The twin decides which of several waiting
   * requests gets a command; at {@code ttd} this tells it that the request gives up, and the twin
   * answers it NoCommand unless it handed it a command first. While it waits the request renews its
   * wait every {@code entwine.twin.command-wait-renewal}, so a twin that restarts or moves to
   * another node meanwhile learns of it again and still hands it a command.
   */
  public CompletionStage<Reply> waitForCommand(DeviceKey target, DeviceKey gateway, Duration ttd) {
    String waiterId = UUID.randomUUID().toString();
    Instant until = Instant.now().plus(ttd);
    AtomicReference<ActorRef<Reply>> waiting = new AtomicReference<>();
    EntityRef<DeviceTwin.Command> twin = twin(target);
    CompletionStage<Reply> answer =
        twin.ask(
            replyTo -> {
              waiting.set(replyTo);
              return new DeviceTwin.WaitForCommand(waiterId, gateway, until, replyTo);
            },
            ttd.plus(askTimeout));
    Scheduler scheduler = system.scheduler();
    AtomicBoolean renewed = new AtomicBoolean();
    Cancellable renewals =
        scheduler.scheduleWithFixedDelay(
            waitRenewal,
            waitRenewal,
            () -> {
              if (Instant.now().plus(waitRenewal).isBefore(until)) {
                renewed.set(true);
                twin.tell(new DeviceTwin.RenewWait(waiterId, gateway, until, waiting.get()));
              }
            },
            system.executionContext());
    scheduler.scheduleOnce(
        ttd,
        () -> twin.tell(new DeviceTwin.StopWaiting(waiterId, waiting.get())),
        system.executionContext());
    answer.whenComplete(
        (reply, failure) -> {
          renewals.cancel();
          if (renewed.get()) {
            // a renewal may reach a twin that restarted after it answered: end the wait there too
            twin.tell(new DeviceTwin.StopWaiting(waiterId, waiting.get()));
          }
        });
    return answer.exceptionally(
        failure -> {
          if (isTimeout(failure)) {
            return new Reply.NoCommand();
          }
          throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
        });
  }

  private static boolean isTimeout(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    return cause instanceof TimeoutException
        || cause instanceof org.apache.pekko.pattern.AskTimeoutException;
  }

  public <C> CompletionStage<Reply> ask(EntityRef<C> entity, Function<ActorRef<Reply>, C> command) {
    return entity.ask(command::apply, askTimeout);
  }

  /**
   * {@link #askVerified}, unless the node knows that nothing presented for {@code key} matches; an
   * entity that refuses before any verification round (not registered) makes it remember that.
   */
  private <C> CompletionStage<Reply> askGuarded(
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

  private <C> CompletionStage<Reply> askVerified(
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
  private <C> CompletionStage<Reply> askVerified(
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
  private static CompletionStage<Reply> busyOr(Throwable failure) {
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
