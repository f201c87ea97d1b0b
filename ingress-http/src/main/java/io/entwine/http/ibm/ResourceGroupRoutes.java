package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.common.ApiResponses;
import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.GatewayRoleRequests;
import io.entwine.protocol.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's gateway access control (Watson IoT Platform documentation, Gateway access control; the
 * limited gateway API v0002): a gateway's resource group {@code gw_def_res_grp:ORG:TYPE:ID} ({@code
 * GET /groups}, {@code GET /groups/{groupId}}), its members ({@code GET /bulk/devices/{groupId}},
 * {@code …/ids}, {@code PUT …/add}, {@code PUT …/remove}) and a gateway's role ({@code GET/PUT
 * /authorization/devices/{clientId}/roles}, {@code GET /authorization/devices/{clientId}}). A group
 * is the set of devices whose {@code via} lists the gateway (docs/adr/0074), so membership is
 * checked wherever a gateway acts. A group or client id of another organization is not found (404);
 * a body that breaks a rule is refused whole (400) and changes nothing.
 */
public final class ResourceGroupRoutes extends DeviceApiRoutes {
  /** Devices whose membership changes at once, as bulk operations go (BulkRoutes). */
  private static final int WINDOW = 8;

  private final GatewayRoleRequests roles;

  ResourceGroupRoutes(Parts parts) {
    super(parts);
    this.roles = new GatewayRoleRequests(parts.gateway());
  }

  // ---- JSON ----

  record Group(String id, String name, String description) {}

  record Role(String roleId, int roleStatus) {}

  record Roles(List<Role> roles, Map<String, List<String>> rolesToGroups) {}

  record AccessControl(
      String clientId, List<String> roles, List<String> resourceGroups, int status) {}

  record DeviceId(String typeId, String deviceId) {}

  @Override
  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002"), () -> concat(groupRoutes(), memberRoutes(), roleRoutes()));
  }

  private Route groupRoutes() {
    return pathPrefix(
        "groups",
        () ->
            concat(
                pathEndOrSingleSlash(() -> get(() -> authentication.apiKey(this::groups))),
                path(
                    segment(),
                    groupId -> get(() -> authentication.apiKey(p -> group(p, groupId))))));
  }

  private Route memberRoutes() {
    return pathPrefix(
        segment("bulk").slash("devices").slash(segment()),
        groupId ->
            concat(
                pathEndOrSingleSlash(
                    () -> get(() -> authentication.apiKey(p -> members(p, groupId, false)))),
                path("ids", () -> get(() -> authentication.apiKey(p -> members(p, groupId, true)))),
                path("add", () -> put(() -> authentication.apiKey(p -> change(p, groupId, true)))),
                path(
                    "remove",
                    () -> put(() -> authentication.apiKey(p -> change(p, groupId, false))))));
  }

  private Route roleRoutes() {
    return pathPrefix(
        segment("authorization").slash("devices").slash(segment()),
        clientId ->
            concat(
                pathEndOrSingleSlash(
                    () -> get(() -> authentication.apiKey(p -> accessControl(p, clientId)))),
                path(
                    "roles",
                    () ->
                        concat(
                            get(() -> authentication.apiKey(p -> roles(p, clientId))),
                            put(() -> authentication.apiKey(p -> setRole(p, clientId)))))));
  }

  // ---- groups ----

  private Route groups(ApiKeyPrincipal principal) {
    return completeReply(
        roles.standardGateways(principal.org()),
        reply -> {
          List<Group> groups =
              ((Reply.StandardGateways) reply).gateways().stream().map(this::groupOf).toList();
          return json(
              StatusCodes.OK,
              new PlatformJson.Page<>(groups, new PlatformJson.Meta(groups.size()), null));
        });
  }

  private Route group(ApiKeyPrincipal principal, String groupId) {
    return groupGateway(
        principal,
        groupId,
        (gatewayKey, links) -> complete(json(StatusCodes.OK, groupOf(gatewayKey))));
  }

  private Group groupOf(DeviceKey gatewayKey) {
    String id = GatewayRoleRequests.groupId(gatewayKey);
    return new Group(
        id, id, "The devices gateway " + gatewayKey.type() + "/" + gatewayKey.id() + " acts for");
  }

  // ---- members ----

  private Route members(ApiKeyPrincipal principal, String groupId, boolean idsOnly) {
    return groupGateway(
        principal,
        groupId,
        (gatewayKey, links) -> {
          if (idsOnly) {
            List<DeviceId> ids =
                links.actsFor().stream().map(d -> new DeviceId(d.type(), d.id())).toList();
            return complete(json(StatusCodes.OK, page(ids)));
          }
          return onSuccess(
              inWindows(links.actsFor(), device -> gateway.devices().get(device)),
              replies -> {
                List<PlatformJson.Device> devices = new ArrayList<>();
                for (Reply reply : replies) {
                  // a member deleted since the gateway learned of it is no longer listed
                  if (reply instanceof Reply.DeviceInfo info) {
                    devices.add(PlatformJson.of(info, null));
                  }
                }
                return complete(json(StatusCodes.OK, page(devices)));
              });
        });
  }

  private static <T> PlatformJson.Page<T> page(List<T> results) {
    return new PlatformJson.Page<>(results, new PlatformJson.Meta(results.size()), null);
  }

  /**
   * Adds ({@code joined}) or removes the devices of the body, a JSON array of {@code
   * {"typeId","deviceId"}}: every device is checked to be registered before any joins or leaves
   * (404 naming the first that is not, and nothing changes). The gateway itself is skipped: it
   * always acts for itself, as IBM's library adds it to its own group.
   */
  private Route change(ApiKeyPrincipal principal, String groupId, boolean joined) {
    return groupGateway(
        principal,
        groupId,
        (gatewayKey, links) ->
            jsonArray(
                BulkRoutes.MAX_BODY_BYTES,
                entries ->
                    parsed(
                        () -> targets(principal.org(), entries),
                        devices -> {
                          List<DeviceKey> others =
                              devices.stream().filter(d -> !d.equals(gatewayKey)).toList();
                          return completeReply(
                              allRegistered(others)
                                  .thenCompose(
                                      missing ->
                                          missing != null
                                              ? CompletableFuture.completedFuture(missing)
                                              : changeAll(others, gatewayKey, joined)),
                              done ->
                                  json(
                                      StatusCodes.OK,
                                      devices.stream()
                                          .map(d -> new DeviceId(d.type(), d.id()))
                                          .toList()));
                        })));
  }

  private static List<DeviceKey> targets(String org, List<JsonNode> entries) {
    List<DeviceKey> devices = new ArrayList<>();
    for (JsonNode entry : entries) {
      DeviceKey device = PlatformBodies.target(org, entry);
      if (devices.contains(device)) {
        throw new PlatformBodies.InvalidBody(
            "Device " + device.type() + "/" + device.id() + " is in the list more than once");
      }
      devices.add(device);
    }
    return devices;
  }

  /** Null when every device is registered, else the refusal for the first that is not. */
  private CompletionStage<Reply> allRegistered(List<DeviceKey> devices) {
    return inWindows(devices, roles::links)
        .thenApply(
            replies ->
                replies.stream().filter(r -> r instanceof Reply.Rejected).findFirst().orElse(null));
  }

  private CompletionStage<Reply> changeAll(
      List<DeviceKey> devices, DeviceKey gatewayKey, boolean joined) {
    return inWindows(devices, device -> roles.changeMembership(device, gatewayKey, joined))
        .thenApply(
            replies ->
                replies.stream()
                    .filter(r -> r instanceof Reply.Rejected)
                    .findFirst()
                    .orElse(new Reply.Done()));
  }

  // ---- roles ----

  private Route accessControl(ApiKeyPrincipal principal, String clientId) {
    return client(
        principal,
        clientId,
        (device, isGateway, links, standard) -> {
          List<String> groups = new ArrayList<>();
          if (isGateway) {
            groups.add(GatewayRoleRequests.groupId(device));
          }
          links.via().forEach(via -> groups.add(GatewayRoleRequests.groupId(via)));
          List<String> roleIds = isGateway ? List.of(roleOf(standard)) : List.of();
          return complete(
              json(StatusCodes.OK, page(List.of(new AccessControl(clientId, roleIds, groups, 1)))));
        });
  }

  private Route roles(ApiKeyPrincipal principal, String clientId) {
    return client(
        principal,
        clientId,
        (device, isGateway, links, standard) ->
            complete(
                json(
                    StatusCodes.OK,
                    isGateway ? rolesOf(device, standard) : new Roles(List.of(), Map.of()))));
  }

  private Route setRole(ApiKeyPrincipal principal, String clientId) {
    return client(
        principal,
        clientId,
        (device, isGateway, links, standard) ->
            !isGateway
                ? complete(
                    error(
                        StatusCodes.BAD_REQUEST,
                        "Roles are given to gateways here: the client id is g:ORG:TYPE:ID"))
                : parsedBody(
                    body -> GatewayRoleBodies.standardRequested(body, device),
                    wantsStandard ->
                        completeReply(
                            roles.setStandard(device, wantsStandard),
                            done -> json(StatusCodes.OK, rolesOf(device, wantsStandard)))));
  }

  private static String roleOf(boolean standard) {
    return standard ? GatewayRoleRequests.STANDARD_ROLE : GatewayRoleRequests.PRIVILEGED_ROLE;
  }

  private static Roles rolesOf(DeviceKey gatewayKey, boolean standard) {
    String role = roleOf(standard);
    Map<String, List<String>> toGroups = new LinkedHashMap<>();
    toGroups.put(role, List.of(GatewayRoleRequests.groupId(gatewayKey)));
    return new Roles(List.of(new Role(role, 1)), toGroups);
  }

  // ---- resolving ids ----

  @FunctionalInterface
  private interface GroupRoute {
    Route apply(DeviceKey gatewayKey, Reply.GatewayLinks links);
  }

  @FunctionalInterface
  private interface ClientRoute {
    Route apply(DeviceKey device, boolean isGateway, Reply.GatewayLinks links, boolean standard);
  }

  /** {@code inner} for the registered gateway whose group {@code groupId} is; 404 otherwise. */
  private Route groupGateway(ApiKeyPrincipal principal, String groupId, GroupRoute inner) {
    DeviceKey gatewayKey =
        groupId.startsWith(GatewayRoleRequests.GROUP_PREFIX)
            ? GatewayRoleBodies.keyOf(
                principal.org(), groupId.substring(GatewayRoleRequests.GROUP_PREFIX.length()))
            : null;
    if (gatewayKey == null) {
      return complete(
          error(
              StatusCodes.NOT_FOUND,
              "No resource group '"
                  + groupId
                  + "' in organization "
                  + principal.org()
                  + ": a gateway's group is "
                  + GatewayRoleRequests.GROUP_PREFIX
                  + principal.org()
                  + ":TYPE:ID"));
    }
    return completeLinks(roles.links(gatewayKey), links -> inner.apply(gatewayKey, links));
  }

  /** {@code inner} for the registered device or gateway {@code clientId} names; 404 otherwise. */
  private Route client(ApiKeyPrincipal principal, String clientId, ClientRoute inner) {
    boolean isGateway = clientId.startsWith("g:");
    DeviceKey device =
        isGateway || clientId.startsWith("d:")
            ? GatewayRoleBodies.keyOf(principal.org(), clientId.substring(2))
            : null;
    if (device == null) {
      return complete(
          error(
              StatusCodes.NOT_FOUND,
              "No device or gateway '"
                  + clientId
                  + "' in organization "
                  + principal.org()
                  + ": a client id is d:"
                  + principal.org()
                  + ":TYPE:ID or g:"
                  + principal.org()
                  + ":TYPE:ID"));
    }
    return completeLinks(
        roles.links(device),
        links ->
            onSuccess(
                roles.isStandard(device),
                standard -> inner.apply(device, isGateway, links, isGateway && standard)));
  }

  private Route completeLinks(
      CompletionStage<Reply> reply, Function<Reply.GatewayLinks, Route> inner) {
    return onSuccess(
        reply,
        r ->
            r instanceof Reply.GatewayLinks links
                ? inner.apply(links)
                : complete(ApiResponses.fromReply(r, x -> null)));
  }

  /** {@code action} of every item, at most {@link #WINDOW} at a time, the results in order. */
  private static <T, R> CompletionStage<List<R>> inWindows(
      List<T> items, Function<T, CompletionStage<R>> action) {
    return BulkRoutes.inWindows(items, action, WINDOW);
  }
}
