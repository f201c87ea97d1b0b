package io.entwine.ingress;

import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.registry.Organization;
import io.entwine.twin.DeviceTwin;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The one path from any protocol edge to the entities: asks with a timeout, and the slow-hash
 * verification round when an entity has not seen a presented secret before on this node.
 */
public final class TwinGateway {
  private final ClusterSharding sharding;
  private final VerifiedSecrets secrets;
  private final Duration askTimeout;
  // Continuations are trivial; running them on the completing thread avoids the JDK common pool,
  // which on a 2-core host starts a thread per task (DESIGN.md).
  private final Executor sameThread = Runnable::run;

  public TwinGateway(ActorSystem<?> system, VerifiedSecrets secrets, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.secrets = secrets;
    this.askTimeout = askTimeout;
  }

  public EntityRef<DeviceTwin.Command> twin(DeviceKey device) {
    return sharding.entityRefFor(DeviceTwin.ENTITY_KEY, device.entityId());
  }

  public EntityRef<Organization.Command> organization(String orgId) {
    return sharding.entityRefFor(Organization.ENTITY_KEY, orgId);
  }

  /** Records a device event on its twin; Done means persisted. */
  public CompletionStage<Reply> recordEvent(DeviceMessage message, String token) {
    return askVerified(
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
                replyTo),
        token);
  }

  /**
   * Records an event that an application, authenticated by {@code apiKey} of the device's
   * organization, sends on the device's behalf; Done means persisted.
   */
  public CompletionStage<Reply> recordApplicationEvent(DeviceMessage message, String apiKey) {
    return ask(
        twin(message.device()),
        replyTo ->
            new DeviceTwin.RecordApplicationEvent(
                apiKey,
                message.eventId(),
                message.format(),
                message.payload(),
                message.timestamp(),
                message.receivedAt(),
                replyTo));
  }

  /** Done when {@code token} is the device's token and the device is enabled. */
  public CompletionStage<Reply> authenticateDevice(DeviceKey device, String token) {
    return askVerified(
        twin(device),
        (verifiedAgainst, replyTo) -> new DeviceTwin.Authenticate(token, verifiedAgainst, replyTo),
        token);
  }

  /** Done when {@code token} is the token of API key {@code key} of organization {@code orgId}. */
  public CompletionStage<Reply> authenticateApiKey(String orgId, String key, String token) {
    return askVerified(
        organization(orgId),
        (verifiedAgainst, replyTo) ->
            new Organization.Authenticate(key, token, verifiedAgainst, replyTo),
        token);
  }

  public <C> CompletionStage<Reply> ask(EntityRef<C> entity, Function<ActorRef<Reply>, C> command) {
    return entity.ask(command::apply, askTimeout);
  }

  /**
   * Asks; if the entity has not seen the secret on its node, verifies it here (slow hash, off the
   * actor) and asks again naming the hash it was verified against, so the entity's node, which may
   * be another one, accepts and remembers it without hashing again.
   */
  private <C> CompletionStage<Reply> askVerified(
      EntityRef<C> entity, BiFunction<String, ActorRef<Reply>, C> command, String secret) {
    return ask(entity, replyTo -> command.apply(null, replyTo))
        .thenComposeAsync(
            reply -> {
              if (reply instanceof Reply.NeedsVerification needs) {
                String storedHash = needs.secretHash();
                return secrets
                    .verify(storedHash, secret)
                    .thenComposeAsync(
                        ok ->
                            ok
                                ? ask(entity, replyTo -> command.apply(storedHash, replyTo))
                                : unauthorized(),
                        sameThread);
              }
              return CompletableFuture.completedFuture(reply);
            },
            sameThread);
  }

  private static CompletionStage<Reply> unauthorized() {
    return CompletableFuture.completedFuture(Reply.Rejected.unauthorized());
  }
}
