package io.entwine.registry.view;

import io.entwine.registry.Organization;
import io.entwine.registry.Organization.OrganizationCreated;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/** Lists each organization when it is created; a replayed creation writes the same row again. */
public final class OrganizationProjectionHandler
    extends Handler<EventEnvelope<Organization.Event>> {

  private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.done());

  private final OrganizationRepository repository;

  public OrganizationProjectionHandler(OrganizationRepository repository) {
    this.repository = repository;
  }

  @Override
  public CompletionStage<Done> process(EventEnvelope<Organization.Event> envelope) {
    if (envelope.event() instanceof OrganizationCreated created) {
      return repository.add(new ListedOrganization(created.id(), created.name(), created.at()));
    }
    // only creations carry the tag; anything else tagged later does not change the list
    return DONE;
  }
}
