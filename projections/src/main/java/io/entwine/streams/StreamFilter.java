package io.entwine.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.identity.Ids;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which of an organization's messages a stream (SSE, WebSocket subscription, webhook) wants: each
 * of {@code typeId}, {@code deviceId}, {@code eventId}, {@code format} is one value or null for any
 * (given as absent or {@code +}), and {@code kinds} the kinds of message. Webhook definitions
 * persist it (jackson-cbor, kinds by their wire names): keep its fields readable.
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
    // in enum order, so that the filter shows its kinds the same way every time
    kinds =
        Collections.unmodifiableSet(
            kinds.isEmpty() ? EnumSet.noneOf(StreamKind.class) : EnumSet.copyOf(kinds));
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

  /**
   * The filter from a JSON object's fields (a WebSocket {@code subscribe}, a webhook's {@code
   * filter}); {@code kinds} may also be an array.
   *
   * @throws InvalidFilter as {@link #from}
   */
  public static StreamFilter fromJson(JsonNode object) {
    return from(name -> field(object, name));
  }

  private static Optional<String> field(JsonNode object, String name) {
    JsonNode value = object.path(name);
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    if (value.isArray() && name.equals("kinds")) {
      StringBuilder list = new StringBuilder();
      value.forEach(kind -> list.append(list.isEmpty() ? "" : ",").append(kind.asText()));
      return Optional.of(list.toString());
    }
    return Optional.of(value.asText());
  }

  /** This filter with other kinds. */
  public StreamFilter withKinds(Set<StreamKind> other) {
    return new StreamFilter(typeId, deviceId, eventId, format, other);
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
