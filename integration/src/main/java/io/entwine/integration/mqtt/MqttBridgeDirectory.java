package io.entwine.integration.mqtt;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import io.entwine.protocol.Rejection;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The ids of an organization's MQTT bridges, so that listing never crosses organizations and an id
 * of another organization is unknown without waking any bridge. One table per organization; an id
 * is claimed before its bridge is created, refused with LIMIT_EXCEEDED beyond the organization's
 * bridges, and released after the bridge is deleted; an id whose bridge does not exist (a creation
 * that failed half-way) is skipped by readers. A lookup answers {@link BridgeReply.Directory}.
 */
public final class MqttBridgeDirectory {
  public static final ClaimTable<String, BridgeReply> TABLE =
      new ClaimTable<>(
          "MqttBridgeDirectory",
          Function.identity(),
          ClaimTable.NO_LIMIT,
          new ClaimReplies<>(
              new BridgeReply.Done(),
              (org, ids) -> new BridgeReply.Directory(new TreeSet<>(ids.keySet())),
              MqttBridgeDirectory::full));

  private MqttBridgeDirectory() {}

  private static BridgeReply full(String org, SortedMap<String, String> ids) {
    return new BridgeReply.Rejected(
        Rejection.LIMIT_EXCEEDED,
        "The organization has " + ids.size() + " MQTT bridges, the most allowed; delete one first");
  }
}
