package io.entwine.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.registry.StateEventIds;
import io.entwine.twin.TwinCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reported state from the events devices already send (issue 19, item 5): once events are recorded,
 * the JSON object of each whose event id its device type names ({@link StateEventIds}) — the IOTF
 * {@code d} object, else the whole object — is merged into the device's reported state. Every
 * protocol's recording passes here ({@link TwinGateway}), so IBM HTTP and MQTT, Hono, Tencent and
 * integration telemetry count alike. The event is acknowledged as before: a merge that fails or is
 * refused (too deep, too large) leaves the state as it was, not the event unrecorded.
 *
 * <p>Each node keeps a type's event ids for {@code entwine.organizations.settings-cache-ttl}: a
 * change reaches every node within that time, the node it was made through at once.
 */
final class ReportedFromEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TwinGateway gateway;
  private final AsyncLoadingCache<String, Set<String>> eventIds;

  ReportedFromEvents(TwinGateway gateway, Duration cacheTtl) {
    this.gateway = gateway;
    // Loads only send an ask: run them on the caller's thread, not on the common pool, which starts
    // a thread per task on 2 cores (docs/performance.md, "The stack measured bare").
    this.eventIds =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .refreshAfterWrite(cacheTtl)
            .executor(Runnable::run)
            .buildAsync((orgAndType, executor) -> load(orgAndType).toCompletableFuture());
  }

  /**
   * A type whose table cannot be read now reports no state (its events are recorded all the same).
   */
  private CompletionStage<Set<String>> load(String orgAndType) {
    try {
      return gateway
          .ask(
              gateway.entity(StateEventIds.TABLE.entityKey(), orgAndType),
              StateEventIds.TABLE.lookup())
          .handle(
              (reply, failure) ->
                  reply instanceof Reply.EventIds ids ? Set.copyOf(ids.eventIds()) : Set.of());
    } catch (RuntimeException unreadable) {
      return CompletableFuture.completedFuture(Set.of());
    }
  }

  /**
   * The event ids of {@code org}/{@code type} that report state, as the recording path sees them.
   */
  CompletionStage<Set<String>> of(String org, String type) {
    return eventIds.get(StateEventIds.entityId(org, type));
  }

  /** Makes this node read the event ids of {@code org}/{@code type} again at their next use. */
  void forget(String org, String type) {
    eventIds.synchronous().invalidate(StateEventIds.entityId(org, type));
  }

  /**
   * After {@code messages} (all of one device) were recorded with {@code reply}: merges their
   * objects into reported when their type names their event ids. Answers {@code reply}.
   */
  CompletionStage<Reply> afterRecorded(List<DeviceMessage> messages, Reply reply) {
    if (!(reply instanceof Reply.Done)) {
      return CompletableFuture.completedFuture(reply);
    }
    DeviceKey device = messages.get(0).device();
    return of(device.org(), device.type())
        .exceptionally(unreadable -> Set.of())
        .thenCompose(
            ids -> {
              List<ObjectNode> patches = ids.isEmpty() ? List.of() : patches(messages, ids);
              if (patches.isEmpty()) {
                return CompletableFuture.completedFuture(reply);
              }
              return gateway
                  .ask(
                      gateway.twin(device),
                      replyTo ->
                          new TwinCommand.MergeReportedFromEvents(
                              patches, Timestamps.now(), replyTo))
                  .handle((merged, failure) -> reply);
            });
  }

  private static List<ObjectNode> patches(List<DeviceMessage> messages, Set<String> ids) {
    List<ObjectNode> patches = new ArrayList<>();
    for (DeviceMessage message : messages) {
      if (ids.contains(message.eventId()) && Payloads.JSON.equals(message.format())) {
        ObjectNode patch = objectOf(message.payload());
        if (patch != null) {
          patches.add(patch);
        }
      }
    }
    return patches;
  }

  /** The IOTF {@code d} object, else the whole object; null when the payload is no object. */
  private static ObjectNode objectOf(byte[] payload) {
    try {
      JsonNode body = JSON.readTree(payload);
      if (body instanceof ObjectNode object) {
        return object.get("d") instanceof ObjectNode d ? d : object;
      }
      return null;
    } catch (IOException notJson) {
      return null;
    }
  }
}
