package io.entwine.streams;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What an application stream can carry; the name is the SSE {@code event:} field. */
public enum StreamKind {
  /** A device event as recorded (resumable: read from the journal). */
  EVENT,
  /** A device's MQTT connect or disconnect (live only). */
  STATUS,
  /** A command queued for a device (live only). */
  COMMAND,
  /** The twin's state document after a change (live only). */
  STATE;

  public static final Set<StreamKind> ALL = EnumSet.allOf(StreamKind.class);

  /** Also the persisted form: webhook definitions store their filter's kinds by these names. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<StreamKind> ofWireName(String name) {
    for (StreamKind kind : values()) {
      if (kind.wireName().equals(name)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
