package io.entwine.mqtt;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The MQTT endpoint of a node: one Vert.x instance sized by {@code entwine.mqtt.event-loops} and
 * its listeners, closed by Pekko's CoordinatedShutdown (listeners and connections when the node
 * stops serving, Vert.x itself just before the actor system terminates).
 */
public final class MqttIngress {
  private final Vertx vertx;
  private final MqttListeners listeners;

  private MqttIngress(Vertx vertx, MqttListeners listeners) {
    this.vertx = vertx;
    this.listeners = listeners;
  }

  public static CompletionStage<MqttIngress> start(
      ActorSystem<?> system, MqttSettings settings, TwinAccess twins) {
    Vertx vertx = Vertx.vertx(vertxOptions(settings));
    ClusterLink cluster =
        new PekkoClusterLink(
            system,
            system.settings().config().getDuration("entwine.ask-timeout"),
            settings.twinAttachRefresh(),
            OfflineBuffer.Limits.of(settings));
    return MqttListeners.start(vertx, settings, twins, cluster)
        .map(listeners -> register(system, new MqttIngress(vertx, listeners)))
        .onFailure(failure -> vertx.close())
        .toCompletionStage();
  }

  private static MqttIngress register(ActorSystem<?> system, MqttIngress ingress) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "mqtt-listeners",
        () -> ingress.listeners.close().map(Done.getInstance()).toCompletionStage());
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "mqtt-vertx",
        () -> ingress.vertx.close().map(Done.getInstance()).toCompletionStage());
    return ingress;
  }

  static VertxOptions vertxOptions(MqttSettings settings) {
    return new VertxOptions()
        .setEventLoopPoolSize(settings.eventLoops())
        // nothing here runs blocking code; TLS key files are read once at start
        .setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(2)
        .setFileSystemOptions(
            new FileSystemOptions()
                .setFileCachingEnabled(false)
                .setClassPathResolvingEnabled(false));
  }

  /** The plain TCP port, empty when that listener is off. */
  public OptionalInt port() {
    return listeners.port(MqttListeners.TCP);
  }

  /** The TLS port, empty unless a certificate is configured. */
  public OptionalInt tlsPort() {
    return listeners.port(MqttListeners.TLS);
  }

  /** The WebSocket port (path {@code /mqtt}; TLS when a certificate is configured). */
  public OptionalInt webSocketPort() {
    return listeners.port(MqttListeners.WEBSOCKET);
  }

  public int connections() {
    return listeners.connections();
  }
}
