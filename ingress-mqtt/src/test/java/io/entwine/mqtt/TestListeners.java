package io.entwine.mqtt;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/** The MQTT listeners on a Vert.x of their own, in front of fake twins, for one test class. */
record TestListeners(Vertx vertx, MqttListeners listeners, int port) implements AutoCloseable {

  static TestListeners start(MqttSettings settings, TwinAccess twins) throws Exception {
    return start(settings, twins, new SimpleMeterRegistry());
  }

  static TestListeners start(MqttSettings settings, TwinAccess twins, MeterRegistry registry)
      throws Exception {
    Vertx vertx = Vertx.vertx(MqttIngress.vertxOptions(settings));
    MqttListeners listeners =
        MqttListeners.start(vertx, settings, twins, new LocalClusterLink(), registry)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return new TestListeners(vertx, listeners, listeners.port(MqttListeners.TCP).orElseThrow());
  }

  @Override
  public void close() throws Exception {
    listeners.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
