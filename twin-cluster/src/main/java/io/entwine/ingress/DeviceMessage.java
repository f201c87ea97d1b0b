package io.entwine.ingress;

import io.entwine.identity.DeviceKey;
import java.time.Instant;

/**
 * What every protocol edge (IBM HTTP, MQTT, Hono, Tencent, ThingsBoard) turns a device event into:
 * which device, which event id and format, the payload, when it happened and where it came from.
 */
public record DeviceMessage(
    DeviceKey device,
    String eventId,
    String format,
    byte[] payload,
    Instant timestamp,
    Instant receivedAt,
    String origin) {}
