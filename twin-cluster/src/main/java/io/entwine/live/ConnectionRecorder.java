package io.entwine.live;

/**
 * Keeps a durable record of MQTT clients connecting and disconnecting, for IBM's connection logs
 * and client connection states (docs/adr/0063). The MQTT edge hands it every {@link
 * LiveMessage.DeviceStatus} and {@link LiveMessage.ApplicationStatus} it publishes: IBM's status
 * documents ({@code Action}, {@code Time}, {@code ClientAddr}, {@code ClientID}, {@code Protocol},
 * {@code Reason}). It must not block: the edge calls it on an event loop.
 */
@FunctionalInterface
public interface ConnectionRecorder {

  ConnectionRecorder NONE = status -> {};

  void record(LiveMessage status);
}
