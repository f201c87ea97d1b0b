package io.entwine.deploy.metrics;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal's and the projections' Cassandra session, as pekko-connectors-cassandra's {@code
 * DefaultSessionProvider} builds it, plus the node's meter registry: the driver's own Micrometer
 * module then records request latencies, errors, timeouts and connections there (the settings
 * {@value #METRICS_SETTINGS}, laid over the driver's, in persistence.conf; docs/adr/0051). Named by
 * {@code session-provider} in persistence.conf.
 */
public final class MeteredSessionProvider implements CqlSessionProvider {
  static final String METRICS_SETTINGS = "entwine.cassandra.driver-metrics";

  private final ActorSystem system;
  private final Config config;

  public MeteredSessionProvider(ActorSystem system, Config config) {
    this.system = system;
    this.config = config;
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext executor) {
    Config driverConfig =
        system
            .settings()
            .config()
            .getConfig(METRICS_SETTINGS)
            .withFallback(CqlSessionProvider.driverConfig(system, config));
    var registry = NodeMetrics.get(Adapter.toTyped(system)).registry();
    return FutureConverters.asScala(
        CqlSession.builder()
            .withConfigLoader(new DriverConfigLoaderFromConfig(driverConfig))
            .withMetricRegistry(registry)
            .addRequestTracker(
                new StatementLatencies(
                    registry,
                    system
                        .settings()
                        .config()
                        .getDuration("entwine.cassandra.slow-statement-threshold")))
            .buildAsync());
  }
}
