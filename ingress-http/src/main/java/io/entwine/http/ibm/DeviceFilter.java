package io.entwine.http.ibm;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.registry.view.RegisteredDevice;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The filters of IBM's v0002 device lists on a device's deviceInfo (IBM Watson IoT Platform API
 * v0002 documentation, Device configuration: {@code deviceInfo.serialNumber}, {@code
 * deviceInfo.manufacturer}… as query parameters): a device matches when every field given equals
 * its deviceInfo's, or starts with the value before a trailing {@code *}. The other filters IBM
 * documents are refused with a 400 naming them rather than ignored, so that a list never claims to
 * be filtered when it is not.
 */
record DeviceFilter(Map<String, String> deviceInfo) implements Predicate<RegisteredDevice> {
  static final String PREFIX = "deviceInfo.";

  private static final Set<String> NOT_SUPPORTED =
      Set.of(
          "gatewayId",
          "gatewayTypeId",
          "status.alert.enabled",
          "registration.date",
          "mgmt.dormant",
          "mgmt.supports.deviceActions",
          "mgmt.supports.firmwareActions",
          "_facets");

  /** The filter the query parameters give, or why they cannot be served. */
  sealed interface Parsed permits Valid, Invalid {}

  record Valid(DeviceFilter filter) implements Parsed {}

  record Invalid(String message) implements Parsed {}

  static Parsed of(Map<String, String> parameters) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      String name = parameter.getKey();
      if (NOT_SUPPORTED.contains(name)) {
        return new Invalid(
            "The filter "
                + name
                + " is not supported; device lists filter on deviceId and on "
                + PREFIX
                + "* fields");
      }
      if (name.startsWith(PREFIX)) {
        String field = name.substring(PREFIX.length());
        if (!PlatformBodies.DEVICE_INFO_FIELDS.contains(field)) {
          return new Invalid(
              name
                  + " is no deviceInfo field; the fields are "
                  + String.join(", ", new TreeSet<>(PlatformBodies.DEVICE_INFO_FIELDS)));
        }
        if (parameter.getValue().isEmpty() || parameter.getValue().equals("*")) {
          return new Invalid(name + " needs a value, or a prefix followed by *");
        }
        fields.put(field, parameter.getValue());
      }
    }
    return new Valid(new DeviceFilter(Map.copyOf(fields)));
  }

  boolean isEmpty() {
    return deviceInfo.isEmpty();
  }

  @Override
  public boolean test(RegisteredDevice device) {
    JsonNode info = device.profile() == null ? null : device.profile().deviceInfo();
    return deviceInfo.entrySet().stream()
        .allMatch(
            field ->
                info != null
                    && info.path(field.getKey()).isValueNode()
                    && matches(info.path(field.getKey()).asText(), field.getValue()));
  }

  private static boolean matches(String value, String filter) {
    return filter.endsWith("*")
        ? value.startsWith(filter.substring(0, filter.length() - 1))
        : value.equals(filter);
  }
}
