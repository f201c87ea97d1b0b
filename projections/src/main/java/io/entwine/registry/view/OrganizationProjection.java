package io.entwine.registry.view;

import io.entwine.registry.Organization;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;

/**
 * Runs the organizations projection: one instance (organizations are created rarely) reading the
 * {@link Organization#CREATED_TAG} tag, under ShardedDaemonProcess so that it runs on one node of
 * the cluster.
 */
public final class OrganizationProjection {

  public static final String NAME = "organizations";

  private OrganizationProjection() {}

  public static void init(ActorSystem<?> system, OrganizationRepository repository) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "OrganizationProjection",
            1,
            index -> ProjectionBehavior.create(projection(system, repository)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static Projection<EventEnvelope<Organization.Event>> projection(
      ActorSystem<?> system, OrganizationRepository repository) {
    return CassandraProjection.<Offset, EventEnvelope<Organization.Event>>atLeastOnce(
        ProjectionId.of(NAME, Organization.CREATED_TAG),
        EventSourcedProvider.eventsByTag(
            system, CassandraReadJournal.Identifier(), Organization.CREATED_TAG),
        () -> new OrganizationProjectionHandler(repository));
  }
}
