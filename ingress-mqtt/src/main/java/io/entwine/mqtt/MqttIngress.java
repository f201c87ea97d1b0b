package io.entwine.mqtt;

import io.entwine.live.ConnectionRecorder;
import io.entwine.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT endpoint of a node: one Vert.x instance sized by {@code entwine.mqtt.event-loops} and
 * its listeners, closed by Pekko's CoordinatedShutdown (listeners and connections when the node
 * stops serving, Vert.x itself just before the actor system terminates).
 */
public final class MqttIngress {
  private static final Logger log = LoggerFactory.getLogger(MqttIngress.class);
  private final Vertx vertx;
  private final MqttListeners listeners;

  private MqttIngress(Vertx vertx, MqttListeners listeners) {
    this.vertx = vertx;
    this.listeners = listeners;
  }

  public static CompletionStage<MqttIngress> start(
      ActorSystem<?> system,
      MqttSettings settings,
      TwinAccess twins,
      ConnectionRecorder connectionRecorder) {
    Vertx vertx =
        newVertx(
            settings, failure -> log.error("Unhandled failure on an MQTT event loop", failure));
    ClusterLink cluster =
        new PekkoClusterLink(
            system,
            system.settings().config().getDuration("entwine.ask-timeout"),
            settings.twinAttachRefresh(),
            OfflineBuffer.Limits.of(settings),
            connectionRecorder);
    return MqttListeners.start(vertx, settings, twins, cluster, Meters.registry(system))
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

  /**
   * The Vert.x instance of the listeners. Vert.x's MQTT server throws on the event loop for every
   * packet a client sends before CONNECT, and for a CONNECT that follows others on a connection
   * already closed (its bytes were read before the close), and Vert.x would log each at ERROR with
   * its stack trace: any client could flood the log. Those go to DEBUG (the connect timeout closes
   * the first kind of connection, the second is closed already); every other failure nothing
   * handled goes to {@code unexpected}.
   */
  static Vertx newVertx(MqttSettings settings, Consumer<Throwable> unexpected) {
    Vertx vertx = Vertx.vertx(vertxOptions(settings));
    vertx.exceptionHandler(
        failure -> {
          if (isPacketBeforeConnect(failure)) {
            log.debug("MQTT packet before CONNECT: {}", failure.getMessage());
          } else if (isConnectAfterClose(failure)) {
            log.debug("MQTT CONNECT on a closed connection: {}", failure.getMessage());
          } else {
            unexpected.accept(failure);
          }
        });
    return vertx;
  }

  /** Vert.x closes the endpoint on a second CONNECT, and throws when it is closed already. */
  private static boolean isConnectAfterClose(Throwable failure) {
    StackTraceElement[] at = failure.getStackTrace();
    return failure instanceof IllegalStateException
        && at.length > 2
        && at[0].getClassName().equals("io.vertx.mqtt.impl.MqttEndpointImpl")
        && at[0].getMethodName().equals("checkClosed")
        && java.util.Arrays.stream(at, 1, Math.min(at.length, 4))
            .anyMatch(
                frame ->
                    frame.getClassName().equals("io.vertx.mqtt.impl.MqttServerConnection")
                        && frame.getMethodName().equals("handleConnect"));
  }

  private static boolean isPacketBeforeConnect(Throwable failure) {
    StackTraceElement[] at = failure.getStackTrace();
    return failure instanceof IllegalStateException
        && at.length > 0
        && at[0].getClassName().equals("io.vertx.mqtt.impl.MqttServerConnection")
        && at[0].getMethodName().equals("checkConnected");
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
