package io.entwine.deploy.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;

/**
 * What the exported metrics need beyond what their libraries register, so that {@code promtool
 * check metrics} passes (docs/operations.md, "Metrics"): the Cassandra driver registers its meters
 * without a description, which Prometheus lints as "no help text"; and two of Micrometer's
 * processor meters break Prometheus naming rules ({@code process_cpu_time_ns_total}: an abbreviated
 * unit; {@code system_cpu_count}: a {@code _count} suffix on a gauge), and are left out ({@code
 * process_cpu_usage} and the JVM's own view remain).
 */
final class ExportFilters {
  private static final String DRIVER_PREFIX = "cassandra.";
  private static final Set<String> LEFT_OUT = Set.of("process.cpu.time", "system.cpu.count");

  private ExportFilters() {}

  /** Configures {@code registry}; before any meter is registered. */
  static void apply(MeterRegistry registry) {
    registry.config().meterFilter(MeterFilter.deny(id -> LEFT_OUT.contains(id.getName())));
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(DRIVER_PREFIX) && id.getDescription() == null
                    ? new Meter.Id(
                        id.getName(),
                        Tags.of(id.getTags()),
                        id.getBaseUnit(),
                        driverDescription(id.getName()),
                        id.getType())
                    : id;
              }
            });
  }

  private static String driverDescription(String name) {
    return "The Cassandra Java driver's "
        + name.substring(DRIVER_PREFIX.length())
        + " metric, per session (the journal's, the projections') and Cassandra node";
  }
}
