package io.entwine.ingress;

import io.entwine.claims.ClaimEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.registry.StandardGatewayRoles;
import io.entwine.twin.TwinCommand;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * IBM's gateway access control (Watson IoT Platform documentation, Gateway access control) on
 * Entwine's one gateway grant, a device's {@code via} (docs/adr/0074): a gateway's resource group
 * {@code gw_def_res_grp:ORG:TYPE:ID} is the set of devices whose {@code via} lists it, so a device
 * joins or leaves the group by a change of its {@code via}, and every path a gateway acts on
 * (events, commands, device management, Hono) checks membership where it already checks the {@code
 * via}. The standard gateway role is kept in {@link StandardGatewayRoles}.
 */
public final class GatewayRoleRequests extends GatewayRequests {
  /** IBM's prefix of a gateway's default resource group. */
  public static final String GROUP_PREFIX = "gw_def_res_grp:";

  /** IBM's role of a gateway that acts only for its resource group and registers no device. */
  public static final String STANDARD_ROLE = "PD_STANDARD_GW_DEVICE";

  /** IBM's default role of a gateway (docs/adr/0057: in Entwine also limited to its group). */
  public static final String PRIVILEGED_ROLE = "PD_PRIVILEGED_GW_DEVICE";

  public GatewayRoleRequests(TwinGateway gateway) {
    super(gateway);
  }

  /** The id of {@code gateway}'s resource group. */
  public static String groupId(DeviceKey gateway) {
    return GROUP_PREFIX + gateway.org() + ":" + gateway.type() + ":" + gateway.id();
  }

  /** {@link Reply.StandardGateways} of {@code org}. */
  public CompletionStage<Reply> standardGateways(String org) {
    return twinGateway.ask(table(org), StandardGatewayRoles.TABLE.lookup());
  }

  /** Whether {@code gateway} holds the standard role. */
  public CompletionStage<Boolean> isStandard(DeviceKey gateway) {
    return standardGateways(gateway.org())
        .thenApply(
            reply ->
                reply instanceof Reply.StandardGateways standard
                    && standard.gateways().contains(gateway));
  }

  /** Gives {@code gateway} the standard role, or the privileged one back; Done. */
  public CompletionStage<Reply> setStandard(DeviceKey gateway, boolean standard) {
    return twinGateway.ask(
        table(gateway.org()),
        standard
            ? StandardGatewayRoles.TABLE.claim(gateway)
            : StandardGatewayRoles.TABLE.release(gateway));
  }

  /** {@link Reply.GatewayLinks} of {@code device}, NOT_FOUND when it is not registered. */
  public CompletionStage<Reply> links(DeviceKey device) {
    return askTwin(device, TwinCommand.GetGatewayLinks::new);
  }

  /** {@code device} joins or leaves {@code gateway}'s resource group; Done or NOT_FOUND. */
  public CompletionStage<Reply> changeMembership(
      DeviceKey device, DeviceKey gateway, boolean joined) {
    return askTwin(
        device,
        replyTo -> new TwinCommand.ChangeGateway(gateway, joined, Timestamps.now(), replyTo));
  }

  /** Why a standard gateway may not register {@code device} for itself. */
  public static Reply.Rejected registrationRefused(DeviceKey gateway, DeviceKey device) {
    return new Reply.Rejected(
        Rejection.FORBIDDEN,
        "Gateway '"
            + gateway.id()
            + "' has the standard gateway role ("
            + STANDARD_ROLE
            + "), which may not register devices; add "
            + device.type()
            + "/"
            + device.id()
            + " to its resource group "
            + groupId(gateway));
  }

  /** The table's entity of {@code org}. */
  private EntityRef<ClaimEntity.Command> table(String org) {
    return twinGateway.entity(StandardGatewayRoles.TABLE.entityKey(), org);
  }
}
