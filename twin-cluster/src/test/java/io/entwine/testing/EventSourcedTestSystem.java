package io.entwine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The actor system of an entity test class that drives its entity with {@link
 * EventSourcedBehaviorTestKit} (in-memory journal; commands, events and state serialized on every
 * step), or checks that its messages serialize ({@link #assertRoundTrips}):
 * {@code @RegisterExtension static final EventSourcedTestSystem testKit = new
 * EventSourcedTestSystem("Name");} starts it before the class's tests and shuts it down after them.
 */
public final class EventSourcedTestSystem implements BeforeAllCallback, AfterAllCallback {
  private final String name;
  private ActorTestKit testKit;

  public EventSourcedTestSystem(String name) {
    this.name = name;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    testKit =
        ActorTestKit.create(
            name, EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    testKit.shutdownTestKit();
  }

  public ActorSystem<Void> system() {
    return testKit.system();
  }

  public <T> TestProbe<T> createTestProbe() {
    return testKit.createTestProbe();
  }

  /** A real actor reference (a test probe's), for samples that carry a {@code replyTo}. */
  public <T> ActorRef<T> replyTo() {
    return testKit.<T>createTestProbe().ref();
  }

  /** Each of {@code samples}, serialized with its configured serializer, reads back equal. */
  public void assertRoundTrips(List<?> samples) {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    for (Object sample : samples) {
      assertEquals(sample, serialization.verifySerialization(sample, false), sample.toString());
    }
  }
}
