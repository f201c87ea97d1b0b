package io.entwine.http.hono;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.ClientCertificates;
import io.entwine.credentials.SecretBox;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import io.entwine.twin.DeviceCredentials;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A device's further credentials and gateways (API key), for the Hono adapter and Tencent publish:
 * {@code POST/GET .../credentials}, {@code DELETE .../credentials/psk}, {@code DELETE
 * .../credentials/hashed-password/{auth-id}}, {@code DELETE .../credentials/x509-cert/{subject
 * DN}}, {@code PUT/GET .../gateways}. Secrets are never returned.
 */
public final class DeviceCredentialRoutes extends ApiDirectives {
  private static final int MAX_SECRET_LENGTH = 128;
  private static final int MAX_SUBJECT_DN_LENGTH = 512;

  private final TwinGateway gateway;
  private final VerifiedSecrets secrets;
  private final SecretBox secretBox;
  private final Authentication authentication;

  public DeviceCredentialRoutes(
      TwinGateway gateway,
      VerifiedSecrets secrets,
      SecretBox secretBox,
      Authentication authentication) {
    this.gateway = gateway;
    this.secrets = secrets;
    this.secretBox = secretBox;
    this.authentication = authentication;
  }

  public record CredentialJson(
      String type, @JsonProperty("auth-id") String authId, Instant created) {}

  public record GatewaysJson(List<String> via) {}

  public Route route() {
    return pathPrefix(
        DEVICE_PATH,
        (type, id) ->
            concat(
                pathPrefix("credentials", () -> credentials(type, id)),
                path("gateways", () -> gateways(type, id))));
  }

  private Route credentials(String type, String id) {
    return apiKeyDevice(
        authentication,
        type,
        id,
        device ->
            concat(
                pathEndOrSingleSlash(
                    () ->
                        concat(
                            post(() -> jsonObject(false, body -> add(device, body))),
                            get(() -> list(device)))),
                path(
                    DeviceCredentials.PSK,
                    () -> delete(() -> remove(device, DeviceCredentials.PSK, null))),
                path(
                    segment(DeviceCredentials.HASHED_PASSWORD).slash(segment()),
                    authId ->
                        delete(() -> remove(device, DeviceCredentials.HASHED_PASSWORD, authId))),
                path(
                    segment(DeviceCredentials.X509_CERT).slash(segment()),
                    subjectDn ->
                        delete(
                            () ->
                                remove(
                                    device,
                                    DeviceCredentials.X509_CERT,
                                    ClientCertificates.normalDn(subjectDn).orElse(subjectDn))))));
  }

  private Route add(DeviceKey device, ObjectNode body) {
    String type = optionalText(body, "type");
    if (DeviceCredentials.X509_CERT.equals(type)) {
      return addCertificate(device, body);
    }
    String secret = optionalText(body, "secret");
    if (secret == null || secret.isEmpty() || secret.length() > MAX_SECRET_LENGTH) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "'secret' is required: 1 to " + MAX_SECRET_LENGTH + " characters"));
    }
    Instant now = Timestamps.now();
    if (DeviceCredentials.PSK.equals(type)) {
      // nodes that remember the device had no PSK ask its twin again
      return completeReply(
          gateway
              .devices()
              .forgetUnknown(device)
              .thenCompose(
                  forgotten ->
                      gateway
                          .credentials()
                          .add(device, type, null, null, secretBox.encrypt(secret), now)),
          done -> json(StatusCodes.CREATED, new CredentialJson(type, null, now)));
    }
    if (!DeviceCredentials.HASHED_PASSWORD.equals(type)) {
      return complete(
          error(StatusCodes.BAD_REQUEST, "'type' must be 'hashed-password', 'x509-cert' or 'psk'"));
    }
    String authId = optionalText(body, "auth-id");
    var invalid = Ids.checkDevicePart("auth-id", authId);
    if (invalid.isPresent()) {
      return complete(error(StatusCodes.BAD_REQUEST, invalid.get()));
    }
    return completeReply(
        claimThenAdd(
            device,
            authId,
            () ->
                secrets
                    .hash(secret)
                    .thenCompose(
                        hash -> gateway.credentials().add(device, type, authId, hash, null, now))),
        done -> json(StatusCodes.CREATED, new CredentialJson(type, authId, now)));
  }

  /**
   * A client certificate's subject DN as auth-id (Hono's {@code x509-cert}); no secret, the TLS
   * handshake proves the certificate's key. Stored and listed in RFC 2253 form.
   */
  private Route addCertificate(DeviceKey device, ObjectNode body) {
    var subjectDn = ClientCertificates.normalDn(optionalText(body, "auth-id"));
    if (subjectDn.isEmpty() || subjectDn.get().length() > MAX_SUBJECT_DN_LENGTH) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "'auth-id' must be the client certificate's subject DN, e.g. \"CN=device1,O=ACME\""
                  + " (at most "
                  + MAX_SUBJECT_DN_LENGTH
                  + " characters)"));
    }
    String authId = subjectDn.get();
    Instant now = Timestamps.now();
    return completeReply(
        claimThenAdd(
            device,
            authId,
            () ->
                gateway
                    .credentials()
                    .add(device, DeviceCredentials.X509_CERT, authId, null, null, now)),
        done ->
            json(
                StatusCodes.CREATED, new CredentialJson(DeviceCredentials.X509_CERT, authId, now)));
  }

  /** Claims the auth-id in the organization's index, then adds the credential to the twin. */
  private CompletionStage<Reply> claimThenAdd(
      DeviceKey device, String authId, Supplier<CompletionStage<Reply>> add) {
    return gateway
        .credentials()
        .claimAuthId(device, authId)
        .thenCompose(
            claimed ->
                claimed instanceof Reply.Done
                    ? add.get().thenCompose(added -> releaseUnlessDone(device, authId, added))
                    : CompletableFuture.completedFuture(claimed));
  }

  /** A device that is not registered got no credential: give the auth-id back. */
  private CompletionStage<Reply> releaseUnlessDone(DeviceKey device, String authId, Reply added) {
    if (added instanceof Reply.Done) {
      return CompletableFuture.completedFuture(added);
    }
    return gateway.credentials().releaseAuthId(device, authId).thenApply(released -> added);
  }

  private Route list(DeviceKey device) {
    return completeReply(
        gateway.credentials().list(device),
        reply ->
            json(
                StatusCodes.OK,
                ((Reply.CredentialList) reply)
                    .credentials().stream()
                        .map(c -> new CredentialJson(c.type(), c.authId(), c.created()))
                        .toList()));
  }

  private Route remove(DeviceKey device, String type, String authId) {
    return completeReply(
        gateway
            .credentials()
            .remove(device, type, authId)
            .thenCompose(
                removed ->
                    removed instanceof Reply.Done && authId != null
                        ? gateway.credentials().releaseAuthId(device, authId)
                        : CompletableFuture.completedFuture(removed)),
        done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  // ---- gateways ----

  private Route gateways(String type, String id) {
    return apiKeyDevice(
        authentication,
        type,
        id,
        device -> put(() -> jsonObject(false, body -> setGateways(device, body))));
  }

  private Route setGateways(DeviceKey device, ObjectNode body) {
    JsonNode via = body.get("via");
    if (via == null || !via.isArray()) {
      return complete(error(StatusCodes.BAD_REQUEST, "'via' must be an array of device ids"));
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode item : via) {
      var invalid = item.isTextual() ? Ids.checkDevicePart("gateway id", item.asText()) : null;
      if (invalid == null || invalid.isPresent()) {
        return complete(
            error(
                StatusCodes.BAD_REQUEST,
                invalid == null ? "'via' must hold device ids (strings)" : invalid.get()));
      }
      ids.add(item.asText());
    }
    return completeReply(
        resolveAll(device.org(), ids, 0, new ArrayList<>())
            .thenCompose(
                resolved ->
                    resolved.refusal() == null
                        ? gateway.credentials().setGateways(device, resolved.keys())
                        : CompletableFuture.completedFuture(resolved.refusal())),
        done -> json(StatusCodes.OK, new GatewaysJson(ids)));
  }

  /** The gateways' keys, or why one of them cannot be resolved. */
  private record Resolved(List<DeviceKey> keys, Reply refusal) {}

  private CompletionStage<Resolved> resolveAll(
      String org, List<String> ids, int index, List<DeviceKey> resolved) {
    if (index == ids.size()) {
      return CompletableFuture.completedFuture(new Resolved(List.copyOf(resolved), null));
    }
    return gateway
        .devices()
        .resolveDeviceId(org, ids.get(index))
        .thenCompose(
            reply -> {
              if (!(reply instanceof Reply.DeviceFound found)) {
                return CompletableFuture.completedFuture(new Resolved(null, reply));
              }
              resolved.add(found.device());
              return resolveAll(org, ids, index + 1, resolved);
            });
  }
}
