package io.entwine.registry;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import java.util.List;

/**
 * The gateways of one organization that hold IBM's standard gateway role ({@code
 * PD_STANDARD_GW_DEVICE}; Watson IoT Platform documentation, Gateway access control): one table per
 * organization, a gateway's key claimed when it is given the role and released when it is given the
 * privileged role again, so the role is durable the moment it is acknowledged and the
 * organization's standard gateways are listed without a scan (docs/adr/0074). A lookup answers
 * {@link Reply.StandardGateways}, in key order.
 */
public final class StandardGatewayRoles {
  public static final ClaimTable<DeviceKey, Reply> TABLE =
      new ClaimTable<>(
          "StandardGatewayRoles",
          DeviceKey::entityId,
          ClaimTable.NO_LIMIT,
          ClaimReplies.unlimited(
              new Reply.Done(),
              (org, gateways) ->
                  new Reply.StandardGateways(
                      List.copyOf(
                          gateways.keySet().stream().map(DeviceKey::fromEntityId).toList()))));

  private StandardGatewayRoles() {}
}
