package io.entwine.http.server;

import org.apache.pekko.stream.Attributes;

/**
 * Whether the routes have switched one connection to another protocol (a {@code 101} answer to a
 * WebSocket upgrade), told by the {@link ConnectionGuard}, which sees the answers, to the stage
 * below pekko's parser that follows the request framing ({@link HttpBinding}), which then stops
 * reading the bytes as HTTP. One instance per connection, an attribute of the connection's stages;
 * the two stages may run on different threads.
 */
final class ProtocolSwitch implements Attributes.Attribute {
  private volatile boolean switched;

  void switched() {
    switched = true;
  }

  boolean happened() {
    return switched;
  }
}
