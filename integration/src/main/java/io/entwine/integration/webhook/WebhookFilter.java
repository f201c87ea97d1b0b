package io.entwine.integration.webhook;

import io.entwine.protocol.CborSerializable;
import java.util.List;
import java.util.Set;

/**
 * Which of its organization's messages a webhook receives: the application stream's filter
 * parameters ({@code typeId}, {@code deviceId}, {@code eventId}, {@code format}; null is any, as
 * {@code +} is in the API) and the kinds of message. Kept small and on its own so that it can be
 * unified with the stream filter of the SSE and WebSocket API.
 */
public record WebhookFilter(
    String typeId, String deviceId, String eventId, String format, List<String> kinds)
    implements CborSerializable {

  /** Device events (recorded readings). */
  public static final String EVENT = "event";

  /** Reported-state patches a device sends to its state document. */
  public static final String STATE = "state";

  /**
   * The kinds a webhook can deliver: those the twins' tagged journal holds. Status (connect,
   * disconnect) and command lifecycle messages are live-only or untagged, so not yet deliverable.
   */
  public static final Set<String> DELIVERABLE_KINDS = Set.of(EVENT, STATE);

  public static final WebhookFilter ANY =
      new WebhookFilter(null, null, null, null, List.of(EVENT, STATE));

  public WebhookFilter {
    kinds = kinds == null || kinds.isEmpty() ? List.of(EVENT, STATE) : List.copyOf(kinds);
  }

  boolean matchesDevice(String type, String id) {
    return matches(typeId, type) && matches(deviceId, id);
  }

  boolean matchesEvent(String event, String eventFormat) {
    return kinds.contains(EVENT) && matches(eventId, event) && matches(format, eventFormat);
  }

  boolean acceptsState() {
    return kinds.contains(STATE);
  }

  private static boolean matches(String wanted, String actual) {
    return wanted == null || wanted.equals(actual);
  }
}
