package io.entwine.http.ibm;

import static io.entwine.protocol.JsonValues.absentIfNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.protocol.Reply;
import io.entwine.registry.view.DeviceTypeCount;
import io.entwine.registry.view.RegisteredDevice;
import java.time.Instant;

/**
 * The device bodies of IBM's v0001 API, field for field as in IBM IoT Foundation's
 * device-management API documentation; {@code attributes} (the shared attributes of the ThingsBoard
 * integration) is an Entwine addition, absent when empty.
 */
final class DeviceJson {
  private DeviceJson() {}

  record Auth(String id, String type) {}

  record Registration(Auth auth, Instant date) {}

  record Device(
      String uuid,
      String type,
      String id,
      JsonNode metadata,
      Boolean enabled,
      String password,
      Registration registration,
      JsonNode attributes) {}

  record DeviceType(String deviceType, long count) {}

  static Device of(Reply.DeviceInfo info) {
    return device(info, null);
  }

  static Device withPassword(Reply.DeviceInfo info, String password) {
    return device(info, password);
  }

  private static Device device(Reply.DeviceInfo info, String password) {
    return new Device(
        "d:" + info.org() + ":" + info.type() + ":" + info.id(),
        info.type(),
        info.id(),
        absentIfNull(info.metadata()),
        info.enabled() ? null : Boolean.FALSE,
        password,
        new Registration(
            new Auth(info.registeredBy(), info.registeredByType()), info.registeredAt()),
        absentIfNull(info.attributes()));
  }

  static Device of(RegisteredDevice device) {
    return new Device(
        "d:" + device.org() + ":" + device.type() + ":" + device.id(),
        device.type(),
        device.id(),
        absentIfNull(device.metadata()),
        device.enabled() ? null : Boolean.FALSE,
        null,
        new Registration(
            new Auth(device.registeredBy(), device.registeredByType()), device.registeredAt()),
        null);
  }

  static DeviceType of(DeviceTypeCount count) {
    return new DeviceType(count.type(), count.count());
  }
}
