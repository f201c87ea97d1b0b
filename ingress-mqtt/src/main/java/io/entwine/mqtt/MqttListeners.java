package io.entwine.mqtt;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's MQTT listeners on one Vert.x instance: plain TCP, TLS and WebSocket, each served by
 * {@code event-loops} server instances that share its port (Vert.x balances new connections over
 * them). Closing undeploys them, which closes every connection.
 */
public final class MqttListeners {
  public static final String TCP = "mqtt";
  public static final String TLS = "mqtts";
  public static final String WEBSOCKET = "mqtt-ws";

  private static final Logger log = LoggerFactory.getLogger(MqttListeners.class);

  private final Vertx vertx;
  private final String deploymentId;
  private final Map<String, Integer> ports;
  private final ConnectionRegistry registry;
  private final AtomicBoolean stopping;

  private MqttListeners(
      Vertx vertx,
      String deploymentId,
      Map<String, Integer> ports,
      ConnectionRegistry registry,
      AtomicBoolean stopping) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.ports = Map.copyOf(ports);
    this.registry = registry;
    this.stopping = stopping;
  }

  /** Binds every enabled listener, counting into a registry of its own (tests). */
  public static Future<MqttListeners> start(
      Vertx vertx, MqttSettings settings, TwinAccess twins, ClusterLink cluster) {
    return start(vertx, settings, twins, cluster, new SimpleMeterRegistry());
  }

  /**
   * Binds every enabled listener, counting into {@code meterRegistry}; fails if any cannot be
   * bound.
   */
  public static Future<MqttListeners> start(
      Vertx vertx,
      MqttSettings settings,
      TwinAccess twins,
      ClusterLink cluster,
      MeterRegistry meterRegistry) {
    MqttMeters meters = new MqttMeters(meterRegistry);
    SocketReads.check();
    AcceptGuard.check();
    AcceptGuard guard = new AcceptGuard(settings);
    Map<String, MqttServerOptions> listeners = listenerOptions(settings);
    ConnectionRegistry registry = new ConnectionRegistry(settings.maxConnections());
    AtomicBoolean stopping = new AtomicBoolean();
    Map<String, Integer> ports = new ConcurrentHashMap<>();
    return vertx
        .deployVerticle(
            () ->
                new Listener(
                    listeners, settings, twins, cluster, registry, meters, stopping, ports, guard),
            new DeploymentOptions().setInstances(settings.eventLoops()))
        .map(id -> new MqttListeners(vertx, id, ports, registry, stopping))
        .onSuccess(started -> log.info("MQTT listening on {}", started.ports));
  }

  /** The bound port of {@link #TCP}, {@link #TLS} or {@link #WEBSOCKET}; empty when it is off. */
  public OptionalInt port(String listener) {
    Integer port = ports.get(listener);
    return port == null ? OptionalInt.empty() : OptionalInt.of(port);
  }

  /** Connections currently open on this node (authenticated or being authenticated). */
  public int connections() {
    return registry.size();
  }

  /** Stops accepting, closes every connection (wills are not published for these). */
  public Future<Void> close() {
    stopping.set(true);
    return vertx.undeploy(deploymentId);
  }

  static Map<String, MqttServerOptions> listenerOptions(MqttSettings settings) {
    Map<String, MqttServerOptions> listeners = new LinkedHashMap<>();
    if (settings.port() >= 0) {
      listeners.put(TCP, options(settings, settings.port(), -1, false, false));
    }
    if (settings.tlsListenerEnabled()) {
      listeners.put(TLS, options(settings, settings.tlsPort(), -2, true, false));
    }
    if (settings.webSocketPort() >= 0) {
      boolean tls = settings.tls().isPresent();
      listeners.put(WEBSOCKET, options(settings, settings.webSocketPort(), -3, tls, true));
    }
    return listeners;
  }

  private static MqttServerOptions options(
      MqttSettings settings, int port, int sharedFreePort, boolean tls, boolean webSocket) {
    MqttServerOptions options = new MqttServerOptions();
    // Port 0 would give every instance its own free port; a negative port makes Vert.x bind one
    // free port and share it between the instances that name the same negative number.
    options.setPort(port == 0 ? sharedFreePort : port);
    options.setHost(settings.interfaceName());
    options.setMaxMessageSize(settings.maxPacketBytes());
    // IBM client ids are longer than MQTT 3.1's 23 characters; accepted from 3.1 clients too.
    options.setMaxClientIdLength(256);
    options.setAutoClientId(false);
    options.setTimeoutOnConnect((int) Math.max(1, settings.connectTimeout().toSeconds()));
    options.setTcpNoDelay(true);
    if (webSocket) {
      options.setUseWebSocket(true);
      options.setWebSocketMaxFrameSize(settings.maxPacketBytes());
    }
    if (tls) {
      MqttSettings.Tls files = settings.tls().orElseThrow();
      options.setSsl(true);
      options.setPemKeyCertOptions(
          new PemKeyCertOptions().setCertPath(files.certFile()).setKeyPath(files.keyFile()));
      options.setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    }
    return options;
  }

  /** One instance per event loop; each binds (or shares) every listener's port. */
  private static final class Listener extends AbstractVerticle {
    private final Map<String, MqttServerOptions> listeners;
    private final MqttSettings settings;
    private final TwinAccess twins;
    private final ClusterLink cluster;
    private final ConnectionRegistry registry;
    private final MqttMeters meters;
    private final AtomicBoolean stopping;
    private final Map<String, Integer> ports;
    private final AcceptGuard guard;

    Listener(
        Map<String, MqttServerOptions> listeners,
        MqttSettings settings,
        TwinAccess twins,
        ClusterLink cluster,
        ConnectionRegistry registry,
        MqttMeters meters,
        AtomicBoolean stopping,
        Map<String, Integer> ports,
        AcceptGuard guard) {
      this.listeners = listeners;
      this.settings = settings;
      this.twins = twins;
      this.cluster = cluster;
      this.registry = registry;
      this.meters = meters;
      this.stopping = stopping;
      this.ports = ports;
      this.guard = guard;
    }

    @Override
    public void start(Promise<Void> started) {
      List<Future<?>> bound = new ArrayList<>();
      listeners.forEach(
          (name, options) ->
              bound.add(
                  MqttServer.create(vertx, options)
                      .endpointHandler(
                          endpoint ->
                              new MqttConnection(
                                      endpoint,
                                      context,
                                      name,
                                      settings,
                                      twins,
                                      cluster,
                                      registry,
                                      meters,
                                      stopping::get)
                                  .start())
                      .exceptionHandler(
                          failure -> log.debug("MQTT {}: {}", name, failure.toString()))
                      .listen()
                      .onSuccess(
                          server -> {
                            guard.install(server);
                            ports.put(name, server.actualPort());
                          })));
      Future.all(bound).<Void>mapEmpty().onComplete(started);
    }
  }
}
