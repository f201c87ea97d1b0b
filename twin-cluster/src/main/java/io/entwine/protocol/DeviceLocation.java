package io.entwine.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/**
 * A device's location as IBM defines it (IBM Watson IoT Platform API v0002 documentation, Device
 * location; Device management protocol, Update location): longitude and latitude in WGS84 decimal
 * degrees, required together; elevation and accuracy optional; the measurement time, else the time
 * of receipt. Each update replaces the whole location. Both the REST API and a managed device's
 * {@code iotdevice-1/device/update/location} take it here, so both keep the same shape.
 */
public final class DeviceLocation {
  private static final Set<String> FIELDS =
      Set.of("longitude", "latitude", "elevation", "accuracy", "measuredDateTime");

  private DeviceLocation() {}

  /** A location that breaks one of IBM's rules; its message says which. */
  public static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }

  /**
   * The stored location from {@code value}: its fields checked, {@code updatedDateTime} set to
   * {@code now}, {@code measuredDateTime} to {@code now} when absent. Fields named in {@code
   * ignored} are accepted and dropped (the device protocol also sends {@code updatedDateTime}).
   */
  public static ObjectNode parse(JsonNode value, Instant now, Set<String> ignored) {
    if (value == null || !value.isObject()) {
      throw new Invalid("'location' must be a JSON object");
    }
    for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name) && !ignored.contains(name)) {
        throw new Invalid("'" + name + "' is not a field of a location");
      }
    }
    ObjectNode location = JsonNodeFactory.instance.objectNode();
    location.put("longitude", number(value, "longitude", -180, 180));
    location.put("latitude", number(value, "latitude", -90, 90));
    if (value.hasNonNull("elevation")) {
      location.put("elevation", number(value, "elevation", -Double.MAX_VALUE, Double.MAX_VALUE));
    }
    if (value.hasNonNull("accuracy")) {
      location.put("accuracy", number(value, "accuracy", 0, Double.MAX_VALUE));
    }
    JsonNode measured = value.get("measuredDateTime");
    location.put(
        "measuredDateTime",
        measured == null || measured.isNull() ? now.toString() : instant(measured));
    location.put("updatedDateTime", now.toString());
    return location;
  }

  private static double number(JsonNode body, String field, double min, double max) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new Invalid("'" + field + "' is required");
    }
    if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
      throw new Invalid(
          "'"
              + field
              + "' must be a number"
              + (max < Double.MAX_VALUE ? " from " + (long) min + " to " + (long) max : ""));
    }
    return value.asDouble();
  }

  private static String instant(JsonNode value) {
    try {
      if (!value.isTextual()) {
        throw new DateTimeParseException("not a string", value.toString(), 0);
      }
      return OffsetDateTime.parse(value.asText()).toInstant().toString();
    } catch (DateTimeParseException e) {
      throw new Invalid(
          "'measuredDateTime' must be an ISO 8601 date and time, e.g. 2026-12-07T10:00:00Z");
    }
  }
}
