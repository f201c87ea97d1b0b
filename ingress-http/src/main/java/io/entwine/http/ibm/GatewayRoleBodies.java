package io.entwine.http.ibm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.GatewayRoleRequests;
import java.util.Map;
import java.util.Set;

/**
 * The ids and bodies of IBM's gateway access control calls ({@link ResourceGroupRoutes}), read as
 * IBM's limited gateway API v0002 writes them; a body that breaks a rule throws {@link
 * PlatformBodies.InvalidBody} naming it.
 */
final class GatewayRoleBodies {
  private GatewayRoleBodies() {}

  /**
   * {@code ORG:TYPE:ID} as a device of {@code org}; null when it is malformed or of another
   * organization (which is not found, never told apart).
   */
  static DeviceKey keyOf(String org, String orgTypeId) {
    String[] parts = orgTypeId.split(":", -1);
    if (parts.length != 3 || !parts[0].equals(org)) {
      return null;
    }
    boolean valid =
        Ids.checkDevicePart("typeId", parts[1]).isEmpty()
            && Ids.checkDevicePart("deviceId", parts[2]).isEmpty();
    return valid ? new DeviceKey(org, parts[1], parts[2]) : null;
  }

  private static final Set<String> ROLE_BODY_FIELDS = Set.of("roles", "rolesToGroups");
  private static final Set<String> ROLE_FIELDS = Set.of("roleId", "roleStatus");

  /**
   * Whether a roles body ({@code {"roles":[{"roleId","roleStatus":1}],"rolesToGroups"?}}) gives
   * {@code gatewayKey} the standard role (true) or the privileged one (false); one role, active,
   * applied to the gateway's own group only.
   */
  static boolean standardRequested(ObjectNode body, DeviceKey gatewayKey) {
    body.fieldNames()
        .forEachRemaining(
            field -> {
              if (!ROLE_BODY_FIELDS.contains(field)) {
                invalid(
                    "Unknown field '" + field + "': a roles body has 'roles' and 'rolesToGroups'");
              }
            });
    JsonNode roles = body.get("roles");
    if (roles == null || !roles.isArray() || roles.size() != 1 || !roles.get(0).isObject()) {
      invalid("'roles' must be an array of one role object {\"roleId\",\"roleStatus\"}");
    }
    JsonNode role = roles.get(0);
    role.fieldNames()
        .forEachRemaining(
            field -> {
              if (!ROLE_FIELDS.contains(field)) {
                invalid(
                    "Unknown field '" + field + "' in a role: it has 'roleId' and 'roleStatus'");
              }
            });
    String roleId = role.path("roleId").isTextual() ? role.get("roleId").asText() : null;
    if (!GatewayRoleRequests.STANDARD_ROLE.equals(roleId)
        && !GatewayRoleRequests.PRIVILEGED_ROLE.equals(roleId)) {
      invalid(
          "A gateway's roleId is "
              + GatewayRoleRequests.STANDARD_ROLE
              + " or "
              + GatewayRoleRequests.PRIVILEGED_ROLE);
    }
    JsonNode status = role.get("roleStatus");
    if (status != null && !(status.isIntegralNumber() && status.asInt() == 1)) {
      invalid("'roleStatus' is 1 (active): a gateway always has one role");
    }
    JsonNode toGroups = body.get("rolesToGroups");
    if (toGroups != null && !toGroups.isNull()) {
      String own = GatewayRoleRequests.groupId(gatewayKey);
      boolean onlyOwn = toGroups.isObject();
      for (var entry : (Iterable<Map.Entry<String, JsonNode>>) toGroups::fields) {
        onlyOwn &= entry.getKey().equals(roleId) && entry.getValue().isArray();
        for (JsonNode group : entry.getValue()) {
          onlyOwn &= group.isTextual() && group.asText().equals(own);
        }
      }
      if (!onlyOwn) {
        invalid(
            "A gateway's role applies to its own resource group " + own + " only (docs/adr/0074)");
      }
    }
    return GatewayRoleRequests.STANDARD_ROLE.equals(roleId);
  }

  private static void invalid(String message) {
    throw new PlatformBodies.InvalidBody(message);
  }
}
