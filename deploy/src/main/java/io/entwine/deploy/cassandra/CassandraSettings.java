package io.entwine.deploy.cassandra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to run the embedded Cassandra node.
 *
 * @param dataDir everything of this node lives below it: data, commit log, generated config, logs
 * @param nativePort the CQL port; if a Cassandra already answers there it is reused
 * @param storagePort the internode port; 0 picks a free one, and a busy port falls back to a free
 *     one since a single-node ring only refers to itself
 * @param listenAddress the address Cassandra binds and the driver connects to
 * @param initialHeap the JVM's {@code -Xms} value, e.g. {@code 512m}
 * @param maxHeap the JVM's {@code -Xmx} value, e.g. {@code 1g}
 * @param startTimeout how long to wait until CQL answers
 * @param classpathFile the file {@code deploy/cassandra-server} writes Cassandra's classpath to
 * @param throwawayData for test data nobody needs after a crash: schema changes then stay in the
 *     commit log instead of being flushed to disk at once, which makes creating keyspaces several
 *     times faster, but a kill of Cassandra before its next clean stop loses every table created
 *     since (their data with them); never for a node whose data matters
 * @param extraJvmOptions options added to Cassandra's JVM after Entwine's own, e.g. {@code
 *     -Xlog:safepoint:file=…} for the benchmark's stage timeline (docs/adr/0079); the launcher
 *     keeps {@code JAVA_TOOL_OPTIONS}, which is meant for Entwine's JVM, away from Cassandra's
 */
public record CassandraSettings(
    Path dataDir,
    int nativePort,
    int storagePort,
    String listenAddress,
    String initialHeap,
    String maxHeap,
    Duration startTimeout,
    Path classpathFile,
    boolean throwawayData,
    List<String> extraJvmOptions) {

  public static final int DEFAULT_NATIVE_PORT = 9042;
  public static final int DEFAULT_STORAGE_PORT = 7000;
  public static final String ENV_DATA_DIR = "ENTWINE_DATA_DIR";
  public static final String ENV_NATIVE_PORT = "ENTWINE_CASSANDRA_PORT";
  public static final String ENV_STORAGE_PORT = "ENTWINE_CASSANDRA_STORAGE_PORT";
  public static final String ENV_CLASSPATH_FILE = "ENTWINE_CASSANDRA_CLASSPATH";
  public static final String ENV_JAVA_OPTS = "ENTWINE_CASSANDRA_JAVA_OPTS";
  public static final String PROPERTY_CLASSPATH_FILE = "entwine.cassandra.classpath";

  private static final Path CLASSPATH_FILE_IN_MODULE =
      Path.of("cassandra-server", "target", "cassandra.classpath");

  public CassandraSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(initialHeap, "initialHeap");
    Objects.requireNonNull(maxHeap, "maxHeap");
    Objects.requireNonNull(startTimeout, "startTimeout");
    Objects.requireNonNull(classpathFile, "classpathFile");
    dataDir = dataDir.toAbsolutePath().normalize();
    classpathFile = classpathFile.toAbsolutePath().normalize();
    extraJvmOptions = List.copyOf(extraJvmOptions);
    requirePort(nativePort, "nativePort");
    if (storagePort != 0) {
      requirePort(storagePort, "storagePort");
    }
  }

  /** Defaults for a node keeping its data in {@code dataDir}: ports 9042/7000, 512 MB–1 GB heap. */
  public static CassandraSettings defaults(Path dataDir) {
    return new CassandraSettings(
        dataDir,
        DEFAULT_NATIVE_PORT,
        DEFAULT_STORAGE_PORT,
        "127.0.0.1",
        "512m",
        "1g",
        Duration.ofSeconds(120),
        defaultClasspathFile(),
        false,
        List.of());
  }

  /**
   * Settings from {@code ENTWINE_DATA_DIR} (default {@code ./data}; Cassandra uses its {@code
   * cassandra} subdirectory), {@code ENTWINE_CASSANDRA_PORT} (default 9042) and {@code
   * ENTWINE_CASSANDRA_STORAGE_PORT} (default 7000; another free one when it is taken) and {@code
   * ENTWINE_CASSANDRA_JAVA_OPTS} (extra JVM options, separated by spaces).
   */
  public static CassandraSettings fromEnvironment(Map<String, String> env) {
    Path dataDir = Path.of(env.getOrDefault(ENV_DATA_DIR, "data")).resolve("cassandra");
    CassandraSettings settings = defaults(dataDir);
    String port = env.get(ENV_NATIVE_PORT);
    if (port != null && !port.isBlank()) {
      settings = settings.withNativePort(parsePort(port, ENV_NATIVE_PORT));
    }
    String storagePort = env.get(ENV_STORAGE_PORT);
    if (storagePort != null && !storagePort.isBlank()) {
      settings = settings.withStoragePort(parsePort(storagePort, ENV_STORAGE_PORT));
    }
    String javaOptions = env.get(ENV_JAVA_OPTS);
    if (javaOptions != null && !javaOptions.isBlank()) {
      List<String> options = List.of(javaOptions.trim().split("\\s+"));
      settings = settings.copy(values -> values.extraJvmOptions = options);
    }
    return settings;
  }

  public CassandraSettings withNativePort(int port) {
    return copy(values -> values.nativePort = port);
  }

  public CassandraSettings withStoragePort(int port) {
    return copy(values -> values.storagePort = port);
  }

  public CassandraSettings withHeap(String initial, String max) {
    return copy(
        values -> {
          values.initialHeap = initial;
          values.maxHeap = max;
        });
  }

  /** These settings for data nobody needs after a crash; see {@code throwawayData}. */
  public CassandraSettings forThrowawayData() {
    return copy(values -> values.throwawayData = true);
  }

  /** A copy of these settings with {@code change} made to it (checked as any other settings). */
  private CassandraSettings copy(Consumer<Values> change) {
    Values values = new Values(this);
    change.accept(values);
    return values.settings();
  }

  /** The settings' values, for changing some of them without listing all at every change. */
  private static final class Values {
    Path dataDir;
    int nativePort;
    int storagePort;
    String listenAddress;
    String initialHeap;
    String maxHeap;
    Duration startTimeout;
    Path classpathFile;
    boolean throwawayData;
    List<String> extraJvmOptions;

    Values(CassandraSettings settings) {
      dataDir = settings.dataDir();
      nativePort = settings.nativePort();
      storagePort = settings.storagePort();
      listenAddress = settings.listenAddress();
      initialHeap = settings.initialHeap();
      maxHeap = settings.maxHeap();
      startTimeout = settings.startTimeout();
      classpathFile = settings.classpathFile();
      throwawayData = settings.throwawayData();
      extraJvmOptions = settings.extraJvmOptions();
    }

    CassandraSettings settings() {
      return new CassandraSettings(
          dataDir,
          nativePort,
          storagePort,
          listenAddress,
          initialHeap,
          maxHeap,
          startTimeout,
          classpathFile,
          throwawayData,
          extraJvmOptions);
    }
  }

  /**
   * Where the launcher finds Cassandra's classpath: the system property {@code
   * entwine.cassandra.classpath}, else {@code ENTWINE_CASSANDRA_CLASSPATH}, else {@code
   * deploy/cassandra-server/target/cassandra.classpath} in the working directory or one of its
   * parents (so it works from the project root and from {@code deploy/}).
   */
  public static Path defaultClasspathFile() {
    String configured = System.getProperty(PROPERTY_CLASSPATH_FILE);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ENV_CLASSPATH_FILE);
    }
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path workingDir = Path.of("").toAbsolutePath();
    for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
      for (Path candidate :
          new Path[] {
            dir.resolve("deploy").resolve(CLASSPATH_FILE_IN_MODULE),
            dir.resolve(CLASSPATH_FILE_IN_MODULE)
          }) {
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    return workingDir.resolve("deploy").resolve(CLASSPATH_FILE_IN_MODULE);
  }

  private static int parsePort(String value, String source) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(source + " is not a port number: " + value, e);
    }
  }

  private static void requirePort(int port, String name) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(name + " must be within 1..65535 but was " + port);
    }
  }
}
