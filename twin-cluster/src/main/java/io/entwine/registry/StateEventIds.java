package io.entwine.registry;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.function.Function;

/**
 * The event ids of a device type whose JSON object is merged into its devices' reported state when
 * recorded (issue 19: an unmodified IBM device publishing {@code iot-2/evt/status/fmt/json} keeps
 * its twin's state current). One table per {@code org/type}; a lookup answers {@link
 * Reply.EventIds} in order, possibly none.
 */
public final class StateEventIds {
  /** A type names at most this many. */
  public static final int MAX_EVENT_IDS = 32;

  public static final ClaimTable<String, Reply> TABLE =
      new ClaimTable<>(
          "StateEventIds",
          Function.identity(),
          MAX_EVENT_IDS,
          new ClaimReplies<>(
              new Reply.Done(),
              (tableId, ids) -> new Reply.EventIds(List.copyOf(ids.keySet())),
              (tableId, ids) ->
                  new Reply.Rejected(
                      Rejection.LIMIT_EXCEEDED,
                      "A device type names at most " + MAX_EVENT_IDS + " state event ids")));

  private StateEventIds() {}

  public static String entityId(String org, String type) {
    return org + "/" + type;
  }
}
