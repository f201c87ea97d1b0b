package io.entwine.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How a node finds its cluster: Pekko Management cluster bootstrap when a discovery method is set
 * ({@code config} for a local cluster, {@code kubernetes-api} in Kubernetes), otherwise the seed
 * nodes, otherwise a cluster of its own.
 */
final class ClusterFormation {
  private ClusterFormation() {}

  /**
   * The configuration with {@code ENTWINE_DISCOVERY_ENDPOINTS} ({@code host:port} of every node's
   * management endpoint) turned into config discovery's service entry.
   */
  static Config withDiscoveryEndpoints(Config config) {
    String endpoints = config.getString("entwine.cluster.discovery-endpoints");
    if (endpoints.isBlank()) {
      return config;
    }
    List<Map<String, Object>> entries =
        Arrays.stream(endpoints.split(","))
            .map(String::trim)
            .filter(endpoint -> !endpoint.isEmpty())
            .map(ClusterFormation::endpoint)
            .toList();
    String service =
        config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
    return ConfigFactory.empty()
        .withValue(
            "pekko.discovery.config.services." + service + ".endpoints",
            ConfigValueFactory.fromIterable(entries))
        .withFallback(config);
  }

  static void join(ActorSystem<?> system, Config config) {
    if (config.getBoolean("entwine.management.enabled")) {
      PekkoManagement.get(system).start();
    }
    String discovery = config.getString("entwine.cluster.discovery");
    String seedNodes = config.getString("entwine.cluster.seed-nodes");
    Cluster cluster = Cluster.get(system);
    if (!discovery.isBlank()) {
      if (!config.getBoolean("entwine.management.enabled")) {
        throw new IllegalStateException(
            "ENTWINE_DISCOVERY="
                + discovery
                + " needs the management endpoint (ENTWINE_MANAGEMENT_ENABLED)");
      }
      ClusterBootstrap.get(system).start();
    } else if (!seedNodes.isBlank()) {
      cluster
          .manager()
          .tell(
              new JoinSeedNodes(
                  Arrays.stream(seedNodes.split(","))
                      .map(String::trim)
                      .map(seed -> AddressFromURIString.parse("pekko://entwine@" + seed))
                      .toList()));
    } else {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  private static Map<String, Object> endpoint(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "ENTWINE_DISCOVERY_ENDPOINTS entries are host:port, not '" + hostAndPort + "'");
    }
    return Map.of(
        "host",
        hostAndPort.substring(0, colon),
        "port",
        Integer.parseInt(hostAndPort.substring(colon + 1)));
  }
}
