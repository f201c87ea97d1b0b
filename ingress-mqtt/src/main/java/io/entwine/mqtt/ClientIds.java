package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;

/**
 * IBM client identifiers (IBM IoT Foundation MQTT documentation, Devices and Applications; Watson
 * IoT Platform documentation, Gateways): {@code d:org:type:id} for a device, {@code g:org:type:id}
 * for a gateway, {@code a:org:appId} for an application. The organization of every session comes
 * from here.
 */
public final class ClientIds {
  private ClientIds() {}

  public sealed interface ClientId permits Device, Gateway, Application, Invalid {}

  public record Device(DeviceKey device) implements ClientId {}

  /** A gateway: a registered device that also publishes and takes commands for others. */
  public record Gateway(DeviceKey gateway) implements ClientId {}

  public record Application(String org, String appId) implements ClientId {}

  public record Invalid(String reason) implements ClientId {}

  public static ClientId parse(String clientId) {
    if (clientId == null || clientId.isEmpty()) {
      return new Invalid("a client id is required: d:ORG:TYPE:ID, g:ORG:TYPE:ID or a:ORG:APP");
    }
    String[] parts = clientId.split(":", -1);
    boolean gateway = "g".equals(parts[0]);
    if ((gateway || "d".equals(parts[0])) && parts.length == 4) {
      if (!Ids.isOrgId(parts[1])) {
        return new Invalid("Invalid organization '" + parts[1] + "': " + Ids.ORG_ID_RULE);
      }
      DeviceKey key = new DeviceKey(parts[1], parts[2], parts[3]);
      return Ids.checkDevicePart("device type", parts[2])
          .or(() -> Ids.checkDevicePart("device id", parts[3]))
          .<ClientId>map(Invalid::new)
          .orElseGet(() -> gateway ? new Gateway(key) : new Device(key));
    }
    if ("a".equals(parts[0]) && parts.length == 3) {
      if (!Ids.isOrgId(parts[1])) {
        return new Invalid("Invalid organization '" + parts[1] + "': " + Ids.ORG_ID_RULE);
      }
      return Topics.isAppId(parts[2])
          ? new Application(parts[1], parts[2])
          : new Invalid(
              "Invalid application id '"
                  + parts[2]
                  + "': 1 to 64 letters, digits, dash (-), underscore (_) and dot (.)");
    }
    return new Invalid(
        "the client id must read d:ORG:TYPE:ID (device), g:ORG:TYPE:ID (gateway)"
            + " or a:ORG:APP (application)");
  }
}
