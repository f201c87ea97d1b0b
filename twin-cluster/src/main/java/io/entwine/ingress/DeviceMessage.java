package io.entwine.ingress;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import java.time.Instant;

/**
 * What every protocol edge (IBM HTTP, MQTT, Hono, Tencent, ThingsBoard) turns a device event into:
 * which device, which event id and format, the payload, when it happened and where it came from.
 * {@code qos} is the MQTT QoS of the publication (live subscribers receive it at most at that QoS);
 * every other edge acknowledges after the write ({@link #ACKNOWLEDGED_QOS}).
 */
public record DeviceMessage(
    DeviceKey device,
    String eventId,
    String format,
    byte[] payload,
    Instant timestamp,
    Instant receivedAt,
    String origin,
    int qos) {

  /** The QoS of a message whose sender is answered after the write: every edge but MQTT's. */
  public static final int ACKNOWLEDGED_QOS = LiveMessage.DeviceEvent.ACKNOWLEDGED_QOS;
}
