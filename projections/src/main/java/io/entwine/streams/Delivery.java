package io.entwine.streams;

/** What an application stream hands its transport (SSE, WebSocket), in order. */
public sealed interface Delivery {
  /** A message and the position to resume after it ({@link StreamPosition#encode}). */
  record Message(StreamMessage message, String id) implements Delivery {}

  /**
   * The client fell behind by more than its buffer: the stream ends after this; {@code lastId} is
   * the id of the last message handed to the client, to resume from.
   */
  record Overflow(String lastId) implements Delivery {}

  /** Nothing happened for a while; keeps proxies and the idle timeout from closing the stream. */
  record Heartbeat() implements Delivery {}
}
