package io.entwine.deploy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code entwine_build_info}: always 1, labelled with the version the node was built as (Maven
 * writes it into {@code build.properties}) and the Java runtime it runs on, so dashboards can show
 * which nodes run what during a rolling upgrade.
 */
final class BuildInfo {
  private static final String RESOURCE = "/io/entwine/deploy/build.properties";

  private BuildInfo() {}

  static void register(MeterRegistry registry) {
    Gauge.builder("entwine.build.info", () -> 1)
        .description("The node's version and Java runtime; the value is always 1")
        .tag("version", version())
        .tag("java_version", System.getProperty("java.runtime.version", "unknown"))
        .register(registry);
  }

  static String version() {
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
