package io.entwine.registry.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One row of the registry read model. {@code metadata} is parsed JSON (as in the twin's {@code
 * Reply.DeviceInfo}), so the HTTP layer renders both the same way; it is null when the device was
 * registered without metadata.
 */
public record RegisteredDevice(
    String org,
    String type,
    String id,
    JsonNode metadata,
    boolean enabled,
    String registeredBy,
    String registeredByType,
    Instant registeredAt) {}
