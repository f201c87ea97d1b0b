package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's platform API v0002 for the organization and its device types (IBM Watson IoT Platform API
 * v0002 documentation: Organization configuration, Service status, Device types), scoped to the API
 * key's organization: {@code GET /api/v0002}, {@code GET /api/v0002/service-status}, {@code
 * GET|POST /api/v0002/device/types}, {@code GET|PUT|DELETE /api/v0002/device/types/{typeId}}.
 */
public final class DeviceTypeRoutes extends DeviceApiRoutes {

  DeviceTypeRoutes(Parts parts) {
    super(parts);
  }

  @Override
  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002"),
        () ->
            concat(
                pathEndOrSingleSlash(
                    () -> get(() -> authentication.apiKey(this::viewOrganization))),
                path("service-status", () -> get(() -> authentication.apiKey(this::serviceStatus))),
                path(segment("device").slash("types"), () -> authentication.apiKey(this::types)),
                path(
                    segment("device").slash("types").slash(segment()),
                    type -> authentication.apiKey(principal -> type(principal, type)))));
  }

  private Route viewOrganization(ApiKeyPrincipal principal) {
    return completeReply(
        gateway.organizations().get(principal.org()),
        org -> json(StatusCodes.OK, PlatformJson.of((Reply.OrganizationInfo) org)));
  }

  /**
   * The node answers, and the API key was just checked against its organization's entity, so
   * messaging and the registry work: Entwine has no third-party services to report on.
   */
  private Route serviceStatus(ApiKeyPrincipal principal) {
    return complete(
        json(
            StatusCodes.OK,
            Map.of("messaging", "green", "dashboard", "green", "thirdParty", "green")));
  }

  private Route types(ApiKeyPrincipal principal) {
    return concat(
        get(
            () ->
                onSuccess(
                    gateway.deviceTypes().list(principal.org()),
                    types -> new PlatformPaging(registry).types((Reply.DeviceTypeList) types))),
        post(() -> parsedBody(PlatformBodies::newType, type -> create(principal, type))));
  }

  private Route create(ApiKeyPrincipal principal, PlatformBodies.NewType type) {
    return completeReply(
        gateway
            .deviceTypes()
            .create(
                principal.org(),
                type.id(),
                type.classId(),
                type.description(),
                type.deviceInfo(),
                type.metadata()),
        created ->
            json(StatusCodes.CREATED, PlatformJson.of((Reply.DeviceTypeInfo) created))
                .addHeader(Location.create("/api/v0002/device/types/" + type.id())));
  }

  private Route type(ApiKeyPrincipal principal, String type) {
    return validId("typeId", type, () -> typeOf(principal, type));
  }

  private Route typeOf(ApiKeyPrincipal principal, String type) {
    return concat(
        get(() -> completeReply(gateway.deviceTypes().get(principal.org(), type), this::typeBody)),
        put(
            () ->
                parsedBody(
                    PlatformBodies::typeChange,
                    change ->
                        completeReply(
                            gateway
                                .deviceTypes()
                                .update(
                                    principal.org(),
                                    type,
                                    change.description(),
                                    change.deviceInfo(),
                                    change.metadata()),
                            this::typeBody))),
        delete(
            () ->
                completeReply(
                    deleteType(principal.org(), type),
                    done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))));
  }

  /**
   * Deletes a type that no device has: 409 while the registry lists devices of it, as IBM refuses
   * to delete a type in use. The registry read model lags the twins by a few seconds, so a device
   * registered (or deleted) just before is seen a moment later (docs/adr/0050).
   */
  private CompletionStage<Reply> deleteType(String org, String type) {
    return registry
        .devicesAfter(org, type, null, null, 1)
        .thenCompose(
            devices ->
                devices.isEmpty()
                    ? gateway.deviceTypes().delete(org, type)
                    : CompletableFuture.completedFuture(
                        new Reply.Rejected(
                            Rejection.ALREADY_EXISTS,
                            "Device type '"
                                + type
                                + "' has devices; delete them before the type")));
  }

  private HttpResponse typeBody(Reply type) {
    return json(StatusCodes.OK, PlatformJson.of((Reply.DeviceTypeInfo) type));
  }
}
