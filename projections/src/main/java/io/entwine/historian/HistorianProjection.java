package io.entwine.historian;

import io.entwine.twin.DeviceTwin;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;

/**
 * Runs the historian projection: one instance per twin tag, spread over the cluster by
 * ShardedDaemonProcess, offsets in pekko-projection-cassandra's offset store (at-least-once; the
 * handler makes replays harmless).
 */
public final class HistorianProjection {

  public static final String NAME = "historian";

  /**
   * Up to this many events, or what arrived within {@link #GROUP_WITHIN}, are written together: the
   * more events of one device a group holds, the fewer roll-up and partition writes per event.
   */
  static final int GROUP_SIZE = 1000;

  static final Duration GROUP_WITHIN = Duration.ofMillis(500);

  private HistorianProjection() {}

  public static void init(ActorSystem<?> system, HistorianRepository repository) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "HistorianProjection",
            DeviceTwin.RECORDED_TAGS.size(),
            index -> ProjectionBehavior.create(projectionFor(system, repository, index)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<DeviceTwin.Event>> projectionFor(
      ActorSystem<?> system, HistorianRepository repository, int index) {
    String tag = DeviceTwin.RECORDED_TAGS.get(index);
    SourceProvider<Offset, EventEnvelope<DeviceTwin.Event>> events =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.groupedWithin(
            ProjectionId.of(NAME, tag), events, () -> new HistorianProjectionHandler(repository))
        .withGroup(GROUP_SIZE, GROUP_WITHIN);
  }
}
