package io.entwine.testing;

import io.entwine.twin.TwinEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.function.Effect;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.apache.pekko.projection.testkit.javadsl.TestProjection;
import org.apache.pekko.projection.testkit.javadsl.TestSourceProvider;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A projection handler run over batches of twin events in pekko-projection's test kit, the way
 * {@code CassandraProjection.groupedWithin} hands them to it. One actor system per test class, shut
 * down after it: register as a static {@code @RegisterExtension} field.
 */
public final class BatchedProjections implements AfterAllCallback {
  private final ActorTestKit testKit = ActorTestKit.create();
  private final ProjectionTestKit projectionTestKit = ProjectionTestKit.create(testKit.system());

  /** Projection {@code id} over {@code batches}, with the handler {@code handler} makes. */
  public static TestProjection<Offset, List<EventEnvelope<TwinEvent>>> projection(
      ProjectionId id,
      List<List<EventEnvelope<TwinEvent>>> batches,
      Supplier<Handler<List<EventEnvelope<TwinEvent>>>> handler) {
    TestSourceProvider<Offset, List<EventEnvelope<TwinEvent>>> sourceProvider =
        TestSourceProvider.create(
            Source.from(batches), batch -> batch.get(batch.size() - 1).offset());
    return TestProjection.create(id, sourceProvider, handler::get);
  }

  /** Consecutive envelopes, {@code size} at the most in each batch. */
  public static List<List<EventEnvelope<TwinEvent>>> batches(
      List<EventEnvelope<TwinEvent>> envelopes, int size) {
    List<List<EventEnvelope<TwinEvent>>> batches = new ArrayList<>();
    for (int start = 0; start < envelopes.size(); start += size) {
      batches.add(envelopes.subList(start, Math.min(start + size, envelopes.size())));
    }
    return batches;
  }

  /** Runs {@code projection} until {@code assertion} holds (or the test kit's time is up). */
  public void run(
      TestProjection<Offset, List<EventEnvelope<TwinEvent>>> projection, Effect assertion) {
    projectionTestKit.run(projection, assertion);
  }

  public ProjectionTestKit testKit() {
    return projectionTestKit;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    testKit.shutdownTestKit();
  }
}
