package io.entwine.historian;

import com.typesafe.config.Config;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
import io.entwine.usage.UsageRecorder;
import io.entwine.usage.UsageRepository;
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

  private HistorianProjection() {}

  /**
   * Starts the projection: {@code retention} gives each organization's TTLs for the rows it writes
   * (docs/adr/0065); it also counts usage into {@code usage} (docs/adr/0063).
   */
  public static void init(
      ActorSystem<?> system,
      HistorianRepository repository,
      HistorianRetention retention,
      UsageRepository usage) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "HistorianProjection",
            DeviceTwin.RECORDED_TAGS.size(),
            index ->
                ProjectionBehavior.create(
                    projectionFor(system, repository, retention, usage, index)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<TwinEvent>> projectionFor(
      ActorSystem<?> system,
      HistorianRepository repository,
      HistorianRetention retention,
      UsageRepository usage,
      int index) {
    String tag = DeviceTwin.RECORDED_TAGS.get(index);
    SourceProvider<Offset, EventEnvelope<TwinEvent>> events =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    // The more of one device's events a group holds, the fewer roll-up and partition writes each
    // event costs (entwine.historian in reference.conf).
    Config settings = system.settings().config().getConfig("entwine.historian");
    return CassandraProjection.groupedWithin(
            ProjectionId.of(NAME, tag),
            events,
            () -> new HistorianProjectionHandler(repository, retention, new UsageRecorder(usage)))
        .withGroup(settings.getInt("group-size"), settings.getDuration("group-within"));
  }
}
