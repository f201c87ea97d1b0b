package io.entwine.deploy.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Renders the {@code cassandra.yaml} of the embedded node from the template in this package. */
final class CassandraYaml {

  private static final String TEMPLATE = "cassandra.yaml";

  private CassandraYaml() {}

  /**
   * The yaml for a node keeping everything below {@code dataDir}.
   *
   * @param storagePort the resolved internode port (never 0)
   */
  static String render(CassandraSettings settings, int storagePort) {
    return render(settings, storagePort, CommitLogAccess.DIRECT);
  }

  /** The yaml, with the commit log written as {@code commitLog} says. */
  static String render(CassandraSettings settings, int storagePort, CommitLogAccess commitLog) {
    return Placeholders.fill(
        resourceText(TEMPLATE),
        Map.of(
            "listen_address", settings.listenAddress(),
            "native_port", Integer.toString(settings.nativePort()),
            "storage_port", Integer.toString(storagePort),
            "data_dir", singleQuotedYaml(settings.dataDir()),
            "commitlog_disk_access_mode", commitLog.yamlValue()));
  }

  /** Where the yaml puts the commit log. */
  static Path commitLogDirectory(CassandraSettings settings) {
    return settings.dataDir().resolve("commitlog");
  }

  /** Text of a resource next to this class. */
  static String resourceText(String name) {
    try (InputStream in = CassandraYaml.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "Missing resource " + name + " next to " + CassandraYaml.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // the template puts paths inside '...', where a quote is written twice
  private static String singleQuotedYaml(Path path) {
    return path.toString().replace("'", "''");
  }
}
