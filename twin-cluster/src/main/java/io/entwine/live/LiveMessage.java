package io.entwine.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.protocol.CborSerializable;
import java.time.Instant;

/**
 * What applications can watch live: everything an organization's devices send, the commands sent to
 * them, and connection status. Published after the fact (an event after it was persisted) on the
 * organization's cluster-wide topic.
 */
public sealed interface LiveMessage extends CborSerializable {
  String org();

  /**
   * A device event as persisted. {@code qos} is the MQTT QoS it was published with (1 for the other
   * protocols, whose acknowledgement follows the write); subscribers get it at most at that QoS. It
   * travels with the live message only and is never persisted.
   */
  record DeviceEvent(
      String org,
      String type,
      String id,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      int qos,
      Journaled journaled)
      implements LiveMessage {

    /** At least once: the sender was answered after the event was persisted. */
    public static final int ACKNOWLEDGED_QOS = 1;
  }

  /**
   * Where a twin journaled a reading, so that an application stream can hand it on before the
   * journal's query finds it and recognise it when the query does (docs/adr/0061): the journal
   * event's sequence number, the reading's index in it ({@code EventsRecorded} holds several), the
   * twin's count of readings up to this one (consecutive numbers mean no reading between), and when
   * the write was done by the twin's clock (epoch milliseconds). Not persisted.
   */
  record Journaled(long sequenceNr, int reading, long readingNumber, long writtenAt) {}

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

  /**
   * A device's state document after a change to it ({@code change}: {@code reported} or {@code
   * desired}), at {@code version}, with the desired leaves the device has not reported yet.
   */
  record DeviceStateChanged(
      String org,
      String type,
      String id,
      String change,
      long version,
      JsonNode reported,
      JsonNode desired,
      JsonNode delta)
      implements LiveMessage {}
}
