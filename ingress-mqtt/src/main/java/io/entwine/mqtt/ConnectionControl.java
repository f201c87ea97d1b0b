package io.entwine.mqtt;

/**
 * What the parts of one {@link MqttConnection} (its inbound window, subscriptions, deliveries) ask
 * of the connection itself. Called on the connection's event loop, except {@link #onEventLoop}.
 */
interface ConnectionControl {

  /** True once the connection is being closed (or refused): nothing more is done for it. */
  boolean isClosing();

  /** Closes the connection because of something the client did (or the twins refused). */
  void disconnect(String reason);

  /** Runs {@code action} on the connection's event loop; from any thread. */
  void onEventLoop(Runnable action);
}
