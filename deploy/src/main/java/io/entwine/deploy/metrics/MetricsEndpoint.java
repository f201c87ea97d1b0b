package io.entwine.deploy.metrics;

import io.entwine.http.server.MetricsRoutes;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * Puts {@code GET /metrics} on the Pekko Management endpoint: the port Kubernetes already probes,
 * kept off the public HTTP port. Registered in cluster.conf under {@code
 * pekko.management.http.routes}; Pekko Management creates it with the actor system.
 */
public final class MetricsEndpoint implements ManagementRouteProvider {
  private final MetricsRoutes routes;

  public MetricsEndpoint(ExtendedActorSystem system) {
    NodeMetrics metrics = NodeMetrics.get(Adapter.toTyped(system));
    this.routes = new MetricsRoutes(metrics::scrape);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return routes.route();
  }
}
