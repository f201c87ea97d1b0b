package io.entwine.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's meter registry: every module registers what it measures here, once, when it starts
 * (docs/adr/0051). The node chooses the registry that exports them ({@link #use}) before anything
 * registers a meter; without that choice (unit tests, in-memory clusters) meters go to a {@link
 * SimpleMeterRegistry} that only counts. One registry rather than a composite keeps the recording
 * on the hot paths a direct call.
 */
public final class Meters implements Extension {
  /**
   * The buckets of every latency histogram the node exports, from a fast local write to an ask
   * timeout, so that dashboards compare them bucket by bucket.
   */
  public static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  private final AtomicReference<MeterRegistry> registry = new AtomicReference<>();

  private Meters() {}

  public static MeterRegistry registry(ActorSystem<?> system) {
    AtomicReference<MeterRegistry> chosen = Id.INSTANCE.apply(system).registry;
    MeterRegistry current = chosen.get();
    if (current != null) {
      return current;
    }
    chosen.compareAndSet(null, new SimpleMeterRegistry());
    return chosen.get();
  }

  /**
   * Makes {@code exporter} the system's registry; fails when a meter was already registered
   * elsewhere, which would otherwise be silently missing from the export.
   */
  public static void use(ActorSystem<?> system, MeterRegistry exporter) {
    AtomicReference<MeterRegistry> chosen = Id.INSTANCE.apply(system).registry;
    if (!chosen.compareAndSet(null, exporter) && chosen.get() != exporter) {
      throw new IllegalStateException(
          "Meters were registered before the node chose the registry that exports them");
    }
  }

  private static final class Id extends ExtensionId<Meters> {
    static final Id INSTANCE = new Id();

    @Override
    public Meters createExtension(ActorSystem<?> system) {
      return new Meters();
    }
  }
}
