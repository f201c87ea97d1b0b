package io.entwine.mqtt;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The endpoint under test, for tests that start it per test method: one Vert.x for the test class
 * (with the options {@code vertxSettings} give), and the listeners a test starts on it, closed
 * after that test. Register it as a static {@code @RegisterExtension} field.
 */
final class EndpointFixture implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private final MqttSettings vertxSettings;
  private Vertx vertx;
  private MqttListeners listeners;

  EndpointFixture(MqttSettings vertxSettings) {
    this.vertxSettings = vertxSettings;
  }

  /** Starts the listeners (closed after the test) and answers their plain TCP port. */
  int start(MqttSettings settings, TwinAccess twins, ClusterLink cluster) throws Exception {
    listeners = await(MqttListeners.start(vertx, settings, twins, cluster));
    return listeners.port(MqttListeners.TCP).orElseThrow();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx(MqttIngress.vertxOptions(vertxSettings));
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (listeners != null) {
      await(listeners.close());
      listeners = null;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
