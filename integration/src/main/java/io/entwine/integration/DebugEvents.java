package io.entwine.integration;

import io.entwine.ingress.Timestamps;
import java.util.function.Supplier;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Debug events of one sender's message, told to its integration when the integration's debug is on.
 */
final class DebugEvents {
  /** Longest In/Out/error text a debug event keeps. */
  static final int MAX_DEBUG_CHARS = 4096;

  private final EntityRef<Integration.Command> integration;
  private final boolean on;

  DebugEvents(EntityRef<Integration.Command> integration, boolean on) {
    this.integration = integration;
    this.on = on;
  }

  /** In and out are built only when debug is on: they copy the whole message. */
  void record(String converter, Supplier<String> in, Supplier<String> out, String error) {
    if (on) {
      integration.tell(
          new Integration.RecordDebug(
              new Integration.DebugEvent(
                  converter,
                  Timestamps.now(),
                  capped(in.get()),
                  capped(out.get()),
                  capped(error))));
    }
  }

  /** Debug events live in the integration's state: each text is kept short. */
  private static String capped(String text) {
    return text == null || text.length() <= MAX_DEBUG_CHARS
        ? text
        : text.substring(0, MAX_DEBUG_CHARS) + "... (" + text.length() + " characters)";
  }
}
