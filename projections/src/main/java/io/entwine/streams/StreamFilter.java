package io.entwine.streams;

import io.entwine.identity.Ids;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which of an organization's messages a stream (SSE, WebSocket subscription, webhook) wants: each
 * of {@code typeId}, {@code deviceId}, {@code eventId}, {@code format} is one value or null for any
 * (given as absent or {@code +}), and {@code kinds} the kinds of message.
 */
public record StreamFilter(
    String typeId, String deviceId, String eventId, String format, Set<StreamKind> kinds) {
  public static final String ANY = "+";
  public static final StreamFilter EVERYTHING =
      new StreamFilter(null, null, null, null, StreamKind.ALL);

  /** A filter value the caller may not use; the message is safe to show (400). */
  public static final class InvalidFilter extends IllegalArgumentException {
    public InvalidFilter(String message) {
      super(message);
    }
  }

  public StreamFilter {
    kinds = Set.copyOf(kinds);
  }

  /**
   * The filter from named parameters (a query string, a JSON message); absent kinds mean all.
   *
   * @throws InvalidFilter for a value that can never match (not an IBM identifier) or an unknown
   *     kind
   */
  public static StreamFilter from(Function<String, Optional<String>> parameter) {
    return new StreamFilter(
        identifier(parameter, "typeId", "device type"),
        identifier(parameter, "deviceId", "device id"),
        identifier(parameter, "eventId", "event id"),
        identifier(parameter, "format", "format"),
        kinds(parameter.apply("kinds")));
  }

  private static String identifier(
      Function<String, Optional<String>> parameter, String name, String what) {
    Optional<String> value = parameter.apply(name);
    if (value.isEmpty() || value.get().equals(ANY)) {
      return null;
    }
    Optional<String> invalid = Ids.checkDevicePart(what, value.get());
    if (invalid.isPresent()) {
      throw new InvalidFilter("'" + name + "': " + invalid.get() + ", or + for any");
    }
    return value.get();
  }

  private static Set<StreamKind> kinds(Optional<String> list) {
    if (list.isEmpty() || list.get().isBlank()) {
      return StreamKind.ALL;
    }
    Set<StreamKind> kinds = EnumSet.noneOf(StreamKind.class);
    for (String name : list.get().split(",", -1)) {
      kinds.add(
          StreamKind.ofWireName(name.strip())
              .orElseThrow(
                  () ->
                      new InvalidFilter(
                          "'kinds': unknown kind '"
                              + name.strip()
                              + "'; a comma-separated list of event, status, command, state")));
    }
    return kinds;
  }

  public boolean wants(StreamKind kind) {
    return kinds.contains(kind);
  }

  /** Whether a message of this kind about this device (and event id and format, if any) passes. */
  public boolean matches(StreamKind kind, String type, String id, String event, String fmt) {
    return kinds.contains(kind)
        && (typeId == null || typeId.equals(type))
        && (deviceId == null || deviceId.equals(id))
        && (eventId == null || event == null || eventId.equals(event))
        && (format == null || fmt == null || format.equals(fmt));
  }
}
