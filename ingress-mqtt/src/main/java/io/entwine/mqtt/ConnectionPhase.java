package io.entwine.mqtt;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where one {@link MqttConnection} is, from CONNECT to its socket's close. The connection holds one
 * phase and moves only along {@link #next}:
 *
 * <pre>
 * OPENING ─┬─ NODE_FULL
 *          └─ AUTHENTICATING ─ CLAIMING ─ CONNECTED ─┬─ CLIENT_DISCONNECTED ─┬─ DISCONNECTING
 *                 └──────────┴─ REFUSED             ├─ DISCONNECTING        └─ TAKEN_OVER
 *                                                    └─ TAKEN_OVER
 * and from every phase to CLOSED (the socket closed).
 * </pre>
 *
 * A phase says whether the connection holds one of the node's connection slots, whether CONNACK
 * accepted it (then a will, status messages and the session's release are due at the close), and
 * whether it is closing (nothing more is done for it).
 */
enum ConnectionPhase {
  /** CONNECT read, nothing checked yet. */
  OPENING(false, false, false),
  /** Refused because the node serves as many connections as it may; holds no slot. */
  NODE_FULL(false, false, true),
  /** The twin or organization checks the credentials. */
  AUTHENTICATING(true, false, false),
  /** Authenticated; the client id's {@link ClientSession} is being claimed. */
  CLAIMING(true, false, false),
  /** Closed before CONNACK accepted it: refused, or closed while connecting. */
  REFUSED(true, false, true),
  CONNECTED(true, true, false),
  /**
   * The client sent DISCONNECT (no will; Vert.x closes the socket): work under way still finishes,
   * but nothing new arrives.
   */
  CLIENT_DISCONNECTED(true, true, false),
  /** Closed by this server because of something the client did or the twins refused. */
  DISCONNECTING(true, true, true),
  /** Another connection, on any node, claimed the client id: its session is not released. */
  TAKEN_OVER(true, true, true),
  /** The socket closed. */
  CLOSED(false, false, true);

  private final boolean holdsSlot;
  private final boolean accepted;
  private final boolean closing;

  ConnectionPhase(boolean holdsSlot, boolean accepted, boolean closing) {
    this.holdsSlot = holdsSlot;
    this.accepted = accepted;
    this.closing = closing;
  }

  /** Counted in the node's connections ({@link ConnectionRegistry}) until the close. */
  boolean holdsSlot() {
    return holdsSlot;
  }

  /** CONNACK accepted the connection. */
  boolean accepted() {
    return accepted;
  }

  boolean closing() {
    return closing;
  }

  /** The phases this one may move to. */
  Set<ConnectionPhase> next() {
    return switch (this) {
      case OPENING -> EnumSet.of(NODE_FULL, AUTHENTICATING, CLOSED);
      case AUTHENTICATING -> EnumSet.of(CLAIMING, REFUSED, CLOSED);
      case CLAIMING -> EnumSet.of(CONNECTED, REFUSED, CLOSED);
      case CONNECTED -> EnumSet.of(CLIENT_DISCONNECTED, DISCONNECTING, TAKEN_OVER, CLOSED);
      case CLIENT_DISCONNECTED -> EnumSet.of(DISCONNECTING, TAKEN_OVER, CLOSED);
      case NODE_FULL, REFUSED, DISCONNECTING, TAKEN_OVER -> EnumSet.of(CLOSED);
      case CLOSED -> EnumSet.noneOf(ConnectionPhase.class);
    };
  }

  /** {@code to}, when this phase may move there. */
  ConnectionPhase moveTo(ConnectionPhase to) {
    if (!next().contains(to)) {
      throw new IllegalStateException(
          "An MQTT connection does not move from " + this + " to " + to);
    }
    return to;
  }
}
