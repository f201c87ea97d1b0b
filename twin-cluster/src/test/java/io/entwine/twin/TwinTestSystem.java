package io.entwine.twin;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test system of a twin test class ({@link TwinFixture#startSystem}), shut down after the
 * class: register it as a static {@code @RegisterExtension} field.
 */
final class TwinTestSystem implements AfterAllCallback {
  private final ActorTestKit testKit;

  TwinTestSystem(String name) {
    this.testKit = TwinFixture.startSystem(name);
  }

  ActorTestKit testKit() {
    return testKit;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    testKit.shutdownTestKit();
  }
}
