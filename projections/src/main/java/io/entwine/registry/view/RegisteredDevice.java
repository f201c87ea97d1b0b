package io.entwine.registry.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.protocol.DeviceProfile;
import java.time.Instant;

/**
 * One row of the registry read model. {@code metadata} is parsed JSON (as in the twin's {@code
 * Reply.DeviceInfo}), so the HTTP layer renders both the same way; it is null when the device was
 * registered without metadata. {@code profile} is the device's IBM v0002 deviceInfo and location,
 * null when it has neither (docs/adr/0070).
 */
public record RegisteredDevice(
    String org,
    String type,
    String id,
    JsonNode metadata,
    boolean enabled,
    String registeredBy,
    String registeredByType,
    Instant registeredAt,
    DeviceProfile profile) {

  public RegisteredDevice {
    profile = profile == null || profile.isEmpty() ? null : profile;
  }

  /** This row with the parts of the profile that {@code change} sets. */
  public RegisteredDevice withProfile(DeviceProfile change) {
    return new RegisteredDevice(
        org,
        type,
        id,
        metadata,
        enabled,
        registeredBy,
        registeredByType,
        registeredAt,
        profile == null ? change : profile.with(change));
  }
}
