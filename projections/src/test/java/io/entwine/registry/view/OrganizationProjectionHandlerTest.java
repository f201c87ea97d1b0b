package io.entwine.registry.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.registry.Organization;
import io.entwine.registry.Organization.ApiKeyRevoked;
import io.entwine.registry.Organization.OrganizationCreated;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.Test;

class OrganizationProjectionHandlerTest {
  private static final Instant AT = Instant.parse("2026-12-07T12:00:00Z");

  private final InMemoryOrganizationRepository repository = new InMemoryOrganizationRepository();
  private final OrganizationProjectionHandler handler =
      new OrganizationProjectionHandler(repository);

  @Test
  void listsACreatedOrganizationOnceEvenWhenTheCreationIsReplayed() throws Exception {
    EventEnvelope<Organization.Event> created =
        envelope("acme", 1, new OrganizationCreated("acme", "Acme Inc.", AT));
    handler.process(created).toCompletableFuture().get();
    handler.process(created).toCompletableFuture().get();

    assertEquals(
        List.of(new ListedOrganization("acme", "Acme Inc.", AT)),
        repository.organizationsAfter(null, 10).toCompletableFuture().get());
    assertEquals(1L, repository.count().toCompletableFuture().get());
  }

  @Test
  void ignoresEventsOtherThanTheCreation() throws Exception {
    handler
        .process(envelope("acme", 2, new ApiKeyRevoked("a-acme-x", AT)))
        .toCompletableFuture()
        .get();
    assertEquals(0L, repository.count().toCompletableFuture().get());
  }

  private static EventEnvelope<Organization.Event> envelope(
      String org, long sequenceNr, Organization.Event event) {
    return EventEnvelope.create(
        Offset.sequence(sequenceNr), "Organization|" + org, sequenceNr, event, AT.toEpochMilli());
  }
}
