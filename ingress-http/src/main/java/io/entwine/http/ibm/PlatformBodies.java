package io.entwine.http.ibm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.protocol.DeviceLocation;
import io.entwine.protocol.DeviceProfile;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Reads and checks the request bodies of IBM's platform API v0002 (IBM Watson IoT Platform API
 * v0002 documentation: Device types, Device configuration, Device location, Bulk operations): every
 * field of the type IBM documents, no field IBM does not know, ids by IBM's rules. A body that
 * breaks a rule is refused whole with {@link InvalidBody}, whose message names the field, and
 * changes nothing.
 */
final class PlatformBodies {
  static final Set<String> CLASS_IDS = Set.of("Device", "Gateway");

  /** IBM's deviceInfo fields (Device configuration). */
  static final Set<String> DEVICE_INFO_FIELDS =
      Set.of(
          "serialNumber",
          "manufacturer",
          "model",
          "deviceClass",
          "description",
          "fwVersion",
          "hwVersion",
          "descriptiveLocation");

  private static final Set<String> TYPE_FIELDS =
      Set.of("id", "classId", "description", "deviceInfo", "metadata", "edgeConfiguration");
  private static final Set<String> TYPE_UPDATE_FIELDS =
      Set.of("description", "deviceInfo", "metadata", "edgeConfiguration");
  private static final Set<String> DEVICE_FIELDS =
      Set.of("deviceId", "authToken", "deviceInfo", "location", "metadata");
  private static final Set<String> BULK_DEVICE_FIELDS =
      Set.of("typeId", "deviceId", "authToken", "deviceInfo", "location", "metadata");
  private static final Set<String> DEVICE_UPDATE_FIELDS =
      Set.of("deviceInfo", "metadata", "status", "extensions");
  private static final Set<String> TARGET_FIELDS = Set.of("typeId", "deviceId");

  private PlatformBodies() {}

  /** A body that breaks one of IBM's rules; its message says which. */
  static final class InvalidBody extends RuntimeException {
    InvalidBody(String message) {
      super(message, null, false, false);
    }
  }

  /** A device type to create. */
  record NewType(
      String id, String classId, String description, JsonNode deviceInfo, JsonNode metadata) {}

  /** A change of a device type; null fields stay as they are. */
  record TypeChange(String description, JsonNode deviceInfo, JsonNode metadata) {}

  /** A device to register; {@code authToken} null when one is to be generated. */
  record NewDevice(DeviceKey device, String authToken, JsonNode metadata, DeviceProfile profile) {}

  /** A change of a device; null fields stay as they are. */
  record DeviceChange(JsonNode metadata, JsonNode deviceInfo) {}

  static NewType newType(ObjectNode body) {
    onlyFields(body, TYPE_FIELDS, "a device type");
    String id = requiredText(body, "id");
    Ids.checkDevicePart("device type", id).ifPresent(PlatformBodies::invalid);
    String classId = optionalText(body, "classId");
    if (classId == null) {
      classId = "Device";
    } else if (!CLASS_IDS.contains(classId)) {
      invalid("'classId' must be 'Device' or 'Gateway'");
    }
    return new NewType(
        id,
        classId,
        optionalText(body, "description"),
        deviceInfo(body.get("deviceInfo")),
        object(body, "metadata"));
  }

  static TypeChange typeChange(ObjectNode body) {
    onlyFields(body, TYPE_UPDATE_FIELDS, "a device type update");
    return new TypeChange(
        optionalText(body, "description"),
        deviceInfo(body.get("deviceInfo")),
        object(body, "metadata"));
  }

  /** A device of {@code type} (POST …/device/types/{type}/devices). */
  static NewDevice newDevice(String org, String type, ObjectNode body, Instant now) {
    onlyFields(body, DEVICE_FIELDS, "a device");
    return device(org, type, body, now);
  }

  /** A device of a bulk registration, which names its type. */
  static NewDevice bulkDevice(String org, JsonNode entry, Instant now) {
    ObjectNode body = entryObject(entry);
    onlyFields(body, BULK_DEVICE_FIELDS, "a device");
    String type = requiredText(body, "typeId");
    Ids.checkDevicePart("typeId", type).ifPresent(PlatformBodies::invalid);
    return device(org, type, body, now);
  }

  /** A device of a bulk removal: its typeId and deviceId. */
  static DeviceKey target(String org, JsonNode entry) {
    ObjectNode body = entryObject(entry);
    onlyFields(body, TARGET_FIELDS, "a device to remove");
    String type = requiredText(body, "typeId");
    String id = requiredText(body, "deviceId");
    Ids.checkDevicePart("typeId", type)
        .or(() -> Ids.checkDevicePart("deviceId", id))
        .ifPresent(PlatformBodies::invalid);
    return new DeviceKey(org, type, id);
  }

  static DeviceChange deviceChange(ObjectNode body) {
    onlyFields(body, DEVICE_UPDATE_FIELDS, "a device update");
    return new DeviceChange(object(body, "metadata"), deviceInfo(body.get("deviceInfo")));
  }

  /**
   * A location as IBM documents it: latitude (-90…90) and longitude (-180…180) required, elevation
   * and accuracy optional numbers, measuredDateTime an ISO 8601 time (now when absent);
   * updatedDateTime is set to {@code now}.
   */
  static ObjectNode location(JsonNode value, Instant now) {
    try {
      return DeviceLocation.parse(value, now, Set.of());
    } catch (DeviceLocation.Invalid e) {
      throw new InvalidBody(e.getMessage());
    }
  }

  static String authToken(ObjectNode body) {
    String token = optionalText(body, "authToken");
    if (token != null
        && (token.length() < DeviceManagementRoutes.MIN_TOKEN_LENGTH
            || token.length() > DeviceManagementRoutes.MAX_TOKEN_LENGTH)) {
      invalid(
          "'authToken' must be "
              + DeviceManagementRoutes.MIN_TOKEN_LENGTH
              + " to "
              + DeviceManagementRoutes.MAX_TOKEN_LENGTH
              + " characters; omit it to have one generated");
    }
    return token;
  }

  private static NewDevice device(String org, String type, ObjectNode body, Instant now) {
    String id = requiredText(body, "deviceId");
    Ids.checkDevicePart("deviceId", id).ifPresent(PlatformBodies::invalid);
    JsonNode location = body.get("location");
    DeviceProfile profile =
        new DeviceProfile(
            deviceInfo(body.get("deviceInfo")),
            location == null || location.isNull() ? null : location(location, now));
    return new NewDevice(
        new DeviceKey(org, type, id),
        authToken(body),
        object(body, "metadata"),
        profile.isEmpty() ? null : profile);
  }

  /** deviceInfo: an object of IBM's string fields, or null when absent. */
  private static JsonNode deviceInfo(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      invalid("'deviceInfo' must be a JSON object");
    }
    onlyFields((ObjectNode) value, DEVICE_INFO_FIELDS, "deviceInfo");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!field.getValue().isTextual() && !field.getValue().isNull()) {
        invalid("'deviceInfo." + field.getKey() + "' must be a string");
      }
    }
    return value;
  }

  private static ObjectNode entryObject(JsonNode entry) {
    if (!entry.isObject()) {
      invalid("Every entry of the list must be a JSON object");
    }
    return (ObjectNode) entry;
  }

  private static void onlyFields(ObjectNode body, Set<String> known, String what) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        invalid("'" + name + "' is not a field of " + what);
      }
    }
  }

  private static JsonNode object(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      invalid("'" + field + "' must be a JSON object");
    }
    return value;
  }

  private static String requiredText(ObjectNode body, String field) {
    String value = optionalText(body, field);
    if (value == null) {
      invalid("'" + field + "' is required");
    }
    return value;
  }

  private static String optionalText(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      invalid("'" + field + "' must be a string");
    }
    return value.asText();
  }

  private static void invalid(String message) {
    throw new InvalidBody(message);
  }
}
