package io.entwine.http.ibm;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Reply;
import io.entwine.registry.view.RegisteredDevice;
import java.time.Instant;
import java.util.List;

/**
 * The response bodies of IBM's platform API v0002, field for field as IBM Watson IoT Platform API
 * v0002 documentation names them (Device types, Device configuration, Bulk operations, Organization
 * configuration). {@code deviceInfo} and {@code metadata} are always objects, empty when unset, as
 * IBM answers them.
 */
final class PlatformJson {
  private PlatformJson() {}

  private static final JsonNode EMPTY = JsonNodeFactory.instance.objectNode();

  record DeviceType(
      String id,
      String classId,
      String description,
      JsonNode deviceInfo,
      JsonNode metadata,
      Instant createdDateTime,
      Instant updatedDateTime) {}

  record Device(
      String clientId,
      String typeId,
      String deviceId,
      JsonNode deviceInfo,
      JsonNode metadata,
      JsonNode location,
      DeviceJson.Registration registration,
      Status status,
      Refs refs,
      String authToken) {}

  /**
   * IBM's alert flag of a device in its dashboard; Entwine raises no alerts, so it stays off since
   * the registration.
   */
  record Status(Alert alert) {}

  record Alert(boolean enabled, Instant timestamp) {}

  /** Where the device's location, management and diagnostics resources are, as IBM links them. */
  record Refs(Diag diag, String location, String mgmt) {
    static Refs of(String type, String id) {
      String device = "/api/v0002/device/types/" + type + "/devices/" + id;
      return new Refs(
          new Diag(device + "/diag/logs", device + "/diag/errorCodes"),
          device + "/location",
          device + "/mgmt");
    }
  }

  record Diag(String logs, String errorCodes) {}

  record Meta(@JsonProperty("total_rows") long totalRows) {}

  /** One page of a list; {@code bookmark} only when more results follow. */
  record Page<T>(List<T> results, Meta meta, String bookmark) {}

  /** One device of a bulk registration: its token when it was registered, why not otherwise. */
  record Added(String typeId, String deviceId, String authToken, boolean success, String error) {}

  /** One device of a bulk removal. */
  record Removed(String typeId, String deviceId, boolean success, String error) {}

  record Organization(String id, String name, boolean enabled, Instant created, Instant updated) {}

  static DeviceType of(Reply.DeviceTypeInfo type) {
    return new DeviceType(
        type.id(),
        type.classId(),
        type.description(),
        orEmpty(type.deviceInfo()),
        orEmpty(type.metadata()),
        type.created(),
        type.updated());
  }

  /** A device as the twin knows it, with {@code authToken} only on registration. */
  static Device of(Reply.DeviceInfo info, String authToken) {
    DeviceProfile profile = info.profile();
    return new Device(
        "d:" + info.org() + ":" + info.type() + ":" + info.id(),
        info.type(),
        info.id(),
        orEmpty(profile == null ? null : profile.deviceInfo()),
        orEmpty(info.metadata()),
        profile == null ? null : profile.location(),
        new DeviceJson.Registration(
            new DeviceJson.Auth(info.registeredBy(), info.registeredByType()), info.registeredAt()),
        new Status(new Alert(false, info.registeredAt())),
        Refs.of(info.type(), info.id()),
        authToken);
  }

  /** A device as the registry read model lists it (docs/adr/0070). */
  static Device of(RegisteredDevice device) {
    DeviceProfile profile = device.profile();
    return new Device(
        "d:" + device.org() + ":" + device.type() + ":" + device.id(),
        device.type(),
        device.id(),
        orEmpty(profile == null ? null : profile.deviceInfo()),
        orEmpty(device.metadata()),
        profile == null ? null : profile.location(),
        new DeviceJson.Registration(
            new DeviceJson.Auth(device.registeredBy(), device.registeredByType()),
            device.registeredAt()),
        new Status(new Alert(false, device.registeredAt())),
        Refs.of(device.type(), device.id()),
        null);
  }

  static Organization of(Reply.OrganizationInfo org) {
    return new Organization(org.id(), org.name(), true, org.created(), org.updated());
  }

  private static JsonNode orEmpty(JsonNode node) {
    return node == null || node.isNull() ? EMPTY : node;
  }
}
