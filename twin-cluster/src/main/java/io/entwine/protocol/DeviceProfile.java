package io.entwine.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What IBM's platform API v0002 keeps of a device beside its metadata (IBM Watson IoT Platform API
 * v0002 documentation, Device configuration): {@code deviceInfo} (serial number, manufacturer,
 * model, device class, description, firmware and hardware versions, descriptive location) and its
 * {@code location} (longitude, latitude, elevation, accuracy, measured and updated times), each a
 * JSON object validated at the edge, null when never set. A twin holds one only when its device has
 * either.
 */
public record DeviceProfile(JsonNode deviceInfo, JsonNode location) implements CborSerializable {

  public DeviceProfile {
    // a null JsonNode comes back from the wire as a JSON null
    deviceInfo = deviceInfo == null || deviceInfo.isNull() ? null : deviceInfo;
    location = location == null || location.isNull() ? null : location;
  }

  public boolean isEmpty() {
    return deviceInfo == null && location == null;
  }

  /** This profile with what {@code change} sets (its null parts leave this one's as they are). */
  public DeviceProfile with(DeviceProfile change) {
    return new DeviceProfile(
        change.deviceInfo != null ? change.deviceInfo : deviceInfo,
        change.location != null ? change.location : location);
  }
}
