package io.entwine.live;

import io.entwine.protocol.CborSerializable;
import java.time.Instant;

/**
 * What applications can watch live: everything an organization's devices send, the commands sent to
 * them, and connection status. Published after the fact (an event after it was persisted) on the
 * organization's cluster-wide topic.
 */
public sealed interface LiveMessage extends CborSerializable {
  String org();

  record DeviceEvent(
      String org,
      String type,
      String id,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp)
      implements LiveMessage {}

  record DeviceCommand(
      String org,
      String type,
      String id,
      String commandId,
      String command,
      String format,
      byte[] payload)
      implements LiveMessage {}

  /**
   * A device's connect/disconnect status, as the JSON document IBM publishes on {@code .../mon}.
   */
  record DeviceStatus(String org, String type, String id, byte[] payload) implements LiveMessage {}

  /** An application's connect/disconnect status ({@code iot-2/app/{appId}/mon}). */
  record ApplicationStatus(String org, String appId, byte[] payload) implements LiveMessage {}
}
