package io.entwine.registry.view;

import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
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
 * Runs the registry projection: one instance per twin tag, spread over the cluster by
 * ShardedDaemonProcess, offsets in pekko-projection-cassandra's offset store.
 */
public final class RegistryProjection {

  public static final String NAME = "registry";

  static final int GROUP_SIZE = 100;
  static final Duration GROUP_WITHIN = Duration.ofMillis(200);

  private RegistryProjection() {}

  public static void init(ActorSystem<?> system, RegistryRepository repository) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "RegistryProjection",
            DeviceTwin.REGISTRY_TAGS.size(),
            index -> ProjectionBehavior.create(projectionFor(system, repository, index)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<TwinEvent>> projectionFor(
      ActorSystem<?> system, RegistryRepository repository, int index) {
    String tag = DeviceTwin.REGISTRY_TAGS.get(index);
    SourceProvider<Offset, EventEnvelope<TwinEvent>> events =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.groupedWithin(
            ProjectionId.of(NAME, tag), events, () -> new RegistryProjectionHandler(repository))
        .withGroup(GROUP_SIZE, GROUP_WITHIN);
  }
}
