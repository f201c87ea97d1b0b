package io.entwine.integration.mqtt;

import io.entwine.credentials.SecretBox;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.DirectoryEntities;
import io.entwine.integration.UplinkRecorder;
import io.entwine.protocol.Rejection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The API of MQTT bridges for the HTTP routes: every call is scoped by organization, passwords are
 * sealed with the cluster key before anything is persisted, and a bridge is addressed only after
 * its organization's directory knows its id.
 */
public final class MqttBridges {
  private final DirectoryEntities<MqttBridge.Command, BridgeReply> bridges;
  private final SecretBox secretBox;
  private final MqttBridgeSettings settings;

  public MqttBridges(
      ActorSystem<?> system,
      SecretBox secretBox,
      MqttBridgeSettings settings,
      Duration askTimeout) {
    this.bridges =
        new DirectoryEntities<>(
            system,
            MqttBridgeDirectory.TABLE,
            MqttBridge.ENTITY_KEY,
            directory -> ((BridgeReply.Directory) directory).ids(),
            id -> new BridgeReply.Rejected(Rejection.NOT_FOUND, "No bridge '" + id + "'"),
            askTimeout);
    this.secretBox = secretBox;
    this.settings = settings;
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
    return bridges.create(
        org,
        id,
        settings.maxPerOrganization(),
        replyTo -> new MqttBridge.Create(config, Timestamps.now(), replyTo));
  }

  /** {@link BridgeReply.Found}, or NOT_FOUND. */
  public CompletionStage<BridgeReply> get(String org, String id) {
    return bridges.whenKnown(org, id, MqttBridge.Get::new);
  }

  /** {@link BridgeReply.Status}, or NOT_FOUND. */
  public CompletionStage<BridgeReply> status(String org, String id) {
    return bridges.whenKnown(org, id, MqttBridge.GetStatus::new);
  }

  /** Stops the bridge and forgets it: Done, or NOT_FOUND. */
  public CompletionStage<BridgeReply> delete(String org, String id) {
    return bridges.delete(org, id, replyTo -> new MqttBridge.Delete(Timestamps.now(), replyTo));
  }

  /** The organization's bridges, as {@link BridgeReply.Found}, in id order. */
  public CompletionStage<List<BridgeReply.Found>> list(String org) {
    return bridges.list(org, MqttBridge.Get::new, BridgeReply.Found.class);
  }
}
