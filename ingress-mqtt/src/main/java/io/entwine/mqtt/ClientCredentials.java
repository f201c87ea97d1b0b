package io.entwine.mqtt;

import static io.entwine.mqtt.TwinCalls.call;

import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.mqtt.MqttSession.ApplicationPrincipal;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.mqtt.MqttSession.GatewayPrincipal;
import io.entwine.protocol.Reply;
import java.util.concurrent.CompletionStage;

/**
 * Who a CONNECT's client id and credentials claim to be, and the call that checks them: a device or
 * a gateway with its own token (username {@code use-token-auth}, checked by its twin), an
 * application with an API key of its organization (IBM IoT Foundation MQTT documentation, Devices
 * and Applications; Watson IoT Platform documentation, Gateways).
 */
final class ClientCredentials {
  private ClientCredentials() {}

  /** The principal and its check, or why the credentials cannot be this client's. */
  record Check(MqttSession.Principal principal, CompletionStage<Reply> reply, String refusal) {
    static Check refused(String reason) {
      return new Check(null, null, reason);
    }
  }

  /** {@code address}: the client's, for the node's limit on failed logins (null when unknown). */
  static Check of(
      ClientIds.ClientId id, String username, String password, TwinAccess twins, String address) {
    if (id instanceof ClientIds.Device device) {
      return withToken(new DevicePrincipal(device.device(), password), username, twins, address);
    }
    if (id instanceof ClientIds.Gateway gateway) {
      return withToken(new GatewayPrincipal(gateway.gateway(), password), username, twins, address);
    }
    ClientIds.Application app = (ClientIds.Application) id;
    if (!Ids.organizationOfApiKey(username).map(app.org()::equals).orElse(false)) {
      return Check.refused("the username must be an API key of organization " + app.org());
    }
    return new Check(
        new ApplicationPrincipal(app.org(), app.appId(), username),
        call(() -> twins.authenticateApiKey(app.org(), username, password, address)),
        null);
  }

  private static Check withToken(
      MqttSession.Principal principal, String username, TwinAccess twins, String address) {
    if (!MqttConnection.DEVICE_USERNAME.equals(username)) {
      return Check.refused(
          "devices and gateways connect with username '" + MqttConnection.DEVICE_USERNAME + "'");
    }
    DeviceKey twin = principal.twin();
    String token =
        principal instanceof DevicePrincipal device
            ? device.token()
            : ((GatewayPrincipal) principal).token();
    return new Check(principal, call(() -> twins.authenticateDevice(twin, token, address)), null);
  }
}
