package io.entwine.integration.mqtt;

import io.entwine.claims.ClaimEntity;
import io.entwine.credentials.SecretBox;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.UplinkRecorder;
import io.entwine.protocol.Rejection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The API of MQTT bridges for the HTTP routes: every call is scoped by organization, passwords are
 * sealed with the cluster key before anything is persisted, and a bridge is addressed only after
 * its organization's directory knows its id.
 */
public final class MqttBridges {
  private static final Executor SAME_THREAD = Runnable::run;

  private final ClusterSharding sharding;
  private final SecretBox secretBox;
  private final MqttBridgeSettings settings;
  private final Duration askTimeout;

  public MqttBridges(
      ActorSystem<?> system,
      SecretBox secretBox,
      MqttBridgeSettings settings,
      Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.secretBox = secretBox;
    this.settings = settings;
    this.askTimeout = askTimeout;
  }

  /** Starts the bridge entities on this node (and, with them, the bridges it is given to run). */
  public static void init(ActorSystem<?> system, UplinkRecorder recorder) {
    MqttBridgeDirectory.TABLE.init(system);
    MqttBridge.init(system, recorder);
  }

  /** {@link BridgeReply.Found} of the new bridge, already started. */
  public CompletionStage<BridgeReply> create(String org, BridgeRequests.Valid request) {
    String id = UUID.randomUUID().toString();
    BridgeConfig config =
        new BridgeConfig(
            org,
            id,
            request.url(),
            request.username(),
            request.password() == null ? null : secretBox.encrypt(request.password()),
            request.clientId(),
            request.topics(),
            request.uplinkScript(),
            request.allowCreateDevices());
    return ask(directory(org), MqttBridgeDirectory.TABLE.claim(id, settings.maxPerOrganization()))
        .thenComposeAsync(
            added ->
                added instanceof BridgeReply.Rejected
                    ? CompletableFuture.completedFuture(added)
                    : ask(
                        bridge(org, id),
                        replyTo -> new MqttBridge.Create(config, Timestamps.now(), replyTo)),
            SAME_THREAD);
  }

  /** {@link BridgeReply.Found}, or NOT_FOUND. */
  public CompletionStage<BridgeReply> get(String org, String id) {
    return whenKnown(org, id, MqttBridge.Get::new);
  }

  /** {@link BridgeReply.Status}, or NOT_FOUND. */
  public CompletionStage<BridgeReply> status(String org, String id) {
    return whenKnown(org, id, MqttBridge.GetStatus::new);
  }

  /** Stops the bridge and forgets it: Done, or NOT_FOUND. */
  public CompletionStage<BridgeReply> delete(String org, String id) {
    return whenKnown(org, id, replyTo -> new MqttBridge.Delete(Timestamps.now(), replyTo))
        .thenComposeAsync(
            deleted ->
                deleted instanceof BridgeReply.Rejected rejected
                        && rejected.reason() != Rejection.NOT_FOUND
                    ? CompletableFuture.completedFuture(deleted)
                    : ask(directory(org), MqttBridgeDirectory.TABLE.release(id))
                        .thenApply(removed -> deleted),
            SAME_THREAD);
  }

  /** The organization's bridges, as {@link BridgeReply.Found}, in id order. */
  public CompletionStage<List<BridgeReply.Found>> list(String org) {
    return ask(directory(org), MqttBridgeDirectory.TABLE.lookup())
        .thenComposeAsync(
            directory -> {
              List<CompletableFuture<BridgeReply>> gets = new ArrayList<>();
              for (String id : ((BridgeReply.Directory) directory).ids()) {
                gets.add(ask(bridge(org, id), MqttBridge.Get::new).toCompletableFuture());
              }
              return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
                  .thenApply(
                      all ->
                          gets.stream()
                              .map(CompletableFuture::join)
                              .filter(BridgeReply.Found.class::isInstance)
                              .map(BridgeReply.Found.class::cast)
                              .toList());
            },
            SAME_THREAD);
  }

  private CompletionStage<BridgeReply> whenKnown(
      String org, String id, Function<ActorRef<BridgeReply>, MqttBridge.Command> command) {
    return ask(directory(org), MqttBridgeDirectory.TABLE.lookup())
        .thenComposeAsync(
            directory ->
                ((BridgeReply.Directory) directory).ids().contains(id)
                    ? ask(bridge(org, id), command)
                    : CompletableFuture.completedFuture(
                        new BridgeReply.Rejected(Rejection.NOT_FOUND, "No bridge '" + id + "'")),
            SAME_THREAD);
  }

  private EntityRef<ClaimEntity.Command> directory(String org) {
    return sharding.entityRefFor(MqttBridgeDirectory.TABLE.entityKey(), org);
  }

  private EntityRef<MqttBridge.Command> bridge(String org, String id) {
    return sharding.entityRefFor(MqttBridge.ENTITY_KEY, MqttBridge.entityId(org, id));
  }

  private <C> CompletionStage<BridgeReply> ask(
      EntityRef<C> entity, Function<ActorRef<BridgeReply>, C> command) {
    return entity.ask(command::apply, askTimeout);
  }
}
