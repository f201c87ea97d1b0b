package io.entwine.http.ibm;

import io.entwine.credentials.Tokens;
import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Registers one device through IBM's platform API v0002, alone or as part of a bulk registration:
 * its type must exist in the organization's catalog (IBM registers devices only under a known
 * type), and its token is the one given or a generated one, returned once.
 */
final class PlatformRegistration {
  private final TwinGateway gateway;

  PlatformRegistration(TwinGateway gateway) {
    this.gateway = gateway;
  }

  /** The twin's reply ({@link Reply.DeviceInfo} or a refusal) and the device's token. */
  record Outcome(Reply reply, String authToken) {}

  CompletionStage<Outcome> register(ApiKeyPrincipal principal, PlatformBodies.NewDevice device) {
    String token = device.authToken() != null ? device.authToken() : Tokens.secret();
    return gateway
        .deviceTypes()
        .get(principal.org(), device.device().type())
        .thenCompose(
            type ->
                type instanceof Reply.DeviceTypeInfo
                    ? gateway
                        .devices()
                        .registerDevice(
                            device.device(),
                            token,
                            device.metadata(),
                            device.profile(),
                            principal.key(),
                            DeviceManagementRoutes.REGISTERED_BY_TYPE)
                    : CompletableFuture.completedFuture(unknownType(type, device)))
        .thenApply(reply -> new Outcome(reply, token));
  }

  private static Reply unknownType(Reply type, PlatformBodies.NewDevice device) {
    if (type instanceof Reply.Rejected rejected && rejected.reason() == Rejection.NOT_FOUND) {
      return new Reply.Rejected(
          Rejection.NOT_FOUND,
          "Device type '"
              + device.device().type()
              + "' does not exist; create it with POST /api/v0002/device/types first");
    }
    return type;
  }
}
