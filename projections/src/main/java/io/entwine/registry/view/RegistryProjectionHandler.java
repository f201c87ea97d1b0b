package io.entwine.registry.view;

import io.entwine.identity.DeviceKey;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.DeviceDeleted;
import io.entwine.twin.TwinEvent.DeviceRegistered;
import io.entwine.twin.TwinEvent.EnabledChanged;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import io.entwine.twin.TwinEvent.MetadataUpdated;
import io.entwine.twin.TwinEvent.ProfileUpdated;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Keeps the registry read model in step with the twins' registration events. Within a batch the
 * writes of different devices run concurrently and each device's writes run one after the other, in
 * event order. Every write sets values, so replaying envelopes (at-least-once) leaves the same
 * rows.
 */
public final class RegistryProjectionHandler extends Handler<List<EventEnvelope<TwinEvent>>> {

  private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.done());

  private final RegistryRepository repository;

  public RegistryProjectionHandler(RegistryRepository repository) {
    this.repository = repository;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<TwinEvent>> envelopes) {
    CompletableFuture<?>[] perDevice =
        envelopes.stream()
            // Recorded events are by far the most frequent and change nothing here.
            .filter(
                envelope ->
                    !(envelope.event() instanceof EventRecorded
                        || envelope.event() instanceof EventsRecorded))
            .collect(
                Collectors.groupingBy(
                    EventEnvelope::persistenceId, LinkedHashMap::new, Collectors.toList()))
            .values()
            .stream()
            .map(deviceEnvelopes -> applyInOrder(deviceEnvelopes).toCompletableFuture())
            .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(perDevice).thenApply(allApplied -> Done.done());
  }

  private CompletionStage<Done> applyInOrder(List<EventEnvelope<TwinEvent>> deviceEnvelopes) {
    CompletionStage<Done> applied = DONE;
    for (EventEnvelope<TwinEvent> envelope : deviceEnvelopes) {
      applied = applied.thenCompose(previous -> apply(envelope));
    }
    return applied;
  }

  private CompletionStage<Done> apply(EventEnvelope<TwinEvent> envelope) {
    DeviceKey device =
        DeviceKey.fromEntityId(PersistenceId.extractEntityId(envelope.persistenceId()));
    TwinEvent event = envelope.event();
    if (event instanceof DeviceRegistered registered) {
      return repository.register(
          new RegisteredDevice(
              device.org(),
              device.type(),
              device.id(),
              registered.metadata(),
              true,
              registered.registeredBy(),
              registered.registeredByType(),
              registered.at(),
              null));
    } else if (event instanceof MetadataUpdated updated) {
      return repository.updateMetadata(device, updated.metadata(), updated.at());
    } else if (event instanceof ProfileUpdated updated) {
      return repository.updateProfile(device, updated.change(), updated.at());
    } else if (event instanceof EnabledChanged changed) {
      return repository.updateEnabled(device, changed.enabled(), changed.at());
    } else if (event instanceof DeviceDeleted) {
      return repository.delete(device);
    }
    // Any other event (including ones added to the twin later) does not touch the registry.
    return DONE;
  }
}
