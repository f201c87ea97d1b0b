package io.entwine.integration.mqtt;

import io.entwine.credentials.SecretBox;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.DirectoryEntities;
import io.entwine.integration.RememberedStreamEntities;
import io.entwine.integration.UplinkRecorder;
import io.entwine.protocol.Rejection;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The API of MQTT bridges for the HTTP routes: every call is scoped by organization, passwords are
 * sealed with the cluster key before anything is persisted, and a bridge is addressed only after
 * its organization's directory knows its id.
 */
public final class MqttBridges
    extends RememberedStreamEntities<
        BridgeRequests.Valid, MqttBridge.Command, BridgeReply, BridgeReply.Found> {
  private static final Commands<MqttBridge.Command, BridgeReply, BridgeReply.Found> COMMANDS =
      new Commands<>(
          MqttBridge.Get::new,
          MqttBridge.GetStatus::new,
          MqttBridge.Delete::new,
          BridgeReply.Found.class,
          found -> found.config().id());

  private final SecretBox secretBox;
  private final MqttBridgeSettings settings;

  public MqttBridges(
      ActorSystem<?> system,
      SecretBox secretBox,
      MqttBridgeSettings settings,
      Duration askTimeout) {
    super(
        new DirectoryEntities<>(
            system,
            MqttBridgeDirectory.TABLE,
            MqttBridge.ENTITY_KEY,
            directory -> ((BridgeReply.Directory) directory).ids(),
            id -> new BridgeReply.Rejected(Rejection.NOT_FOUND, "No bridge '" + id + "'"),
            askTimeout),
        COMMANDS);
    this.secretBox = secretBox;
    this.settings = settings;
  }

  /** Starts the bridge entities on this node (and, with them, the bridges it is given to run). */
  public static void init(ActorSystem<?> system, UplinkRecorder recorder) {
    MqttBridgeDirectory.TABLE.init(system);
    MqttBridge.init(system, recorder);
  }

  /** {@link BridgeReply.Found} of the new bridge, already started. */
  @Override
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
    return entities.create(
        org,
        id,
        settings.maxPerOrganization(),
        replyTo -> new MqttBridge.Create(config, Timestamps.now(), replyTo));
  }
}
