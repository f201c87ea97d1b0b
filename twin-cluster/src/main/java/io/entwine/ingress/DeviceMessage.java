package io.entwine.ingress;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import java.time.Instant;

/**
 * What every protocol edge (IBM HTTP, MQTT, Hono, Tencent, ThingsBoard) turns a device event into:
 * which device, which event id and format, the payload, when it happened and where it came from.
 * {@code qos} is the MQTT QoS of the publication (live subscribers receive it at most at that QoS);
 * every other edge acknowledges after the write ({@link LiveMessage.DeviceEvent#ACKNOWLEDGED_QOS}).
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

  public DeviceMessage(
      DeviceKey device,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      String origin) {
    this(
        device,
        eventId,
        format,
        payload,
        timestamp,
        receivedAt,
        origin,
        LiveMessage.DeviceEvent.ACKNOWLEDGED_QOS);
  }
}
