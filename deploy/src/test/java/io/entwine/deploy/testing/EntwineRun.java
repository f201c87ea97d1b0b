package io.entwine.deploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node started the way {@code deploy/bin/entwine run} starts one: {@code io.entwine.deploy.Main}
 * on the production classpath ({@code deploy/target/classes} plus {@code entwine.classpath}, the
 * file {@code mvn package} writes), with its own embedded Cassandra in its own data directory.
 * Defects that depend on what the runtime classpath holds, or on how the embedded Cassandra keeps
 * its data, only show up this way: the test classpath has every test dependency on it and the
 * shared test Cassandra is not the one a user runs.
 *
 * <p>Every port is free and chosen here ({@link Ports}), so suites can run side by side. {@link
 * #close()} stops the node and then its Cassandra, by process id.
 */
public final class EntwineRun extends NodeJvm {
  public static final String ADMIN_TOKEN = TestNode.ADMIN_TOKEN;
  public static final String PROPERTY_NODE_CLASSPATH = "entwine.node.classpath";
  public static final String PROPERTY_NODE_CLASSES = "entwine.node.classes";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

  private static final int LAUNCH_ATTEMPTS = 3;
  private static final String CASSANDRA_PORT = "ENTWINE_CASSANDRA_PORT";
  private static final List<String> PORTS =
      List.of(
          CASSANDRA_PORT,
          "ENTWINE_CASSANDRA_STORAGE_PORT",
          "ENTWINE_HTTP_PORT",
          "ENTWINE_MQTT_PORT",
          "ENTWINE_MQTTS_PORT",
          "ENTWINE_MQTT_WS_PORT",
          "ENTWINE_CLUSTER_PORT",
          "ENTWINE_MANAGEMENT_PORT");

  private final Path dataDir;
  private final Set<String> portsChosenHere;

  private EntwineRun(Path dataDir, Map<String, String> env, Set<String> portsChosenHere, Path log) {
    super("The node", new HashMap<>(env), log);
    this.dataDir = dataDir;
    this.portsChosenHere = Set.copyOf(portsChosenHere);
  }

  /**
   * Starts a node with its data (and its Cassandra's) in {@code dataDir}, new or used before, and
   * waits until it is ready. {@code extraEnv} overrides the defaults chosen here.
   */
  public static EntwineRun start(Path dataDir, Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>();
    env.put("ENTWINE_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("ENTWINE_DATA_DIR", dataDir.toString());
    env.put("ENTWINE_HTTP_INTERFACE", "127.0.0.1");
    env.put("ENTWINE_MQTT_INTERFACE", "127.0.0.1");
    env.put("ENTWINE_CLUSTER_HOST", "127.0.0.1");
    PORTS.forEach(port -> env.put(port, Integer.toString(Ports.free())));
    env.putAll(extraEnv);
    Set<String> chosenHere = new HashSet<>(PORTS);
    chosenHere.removeAll(extraEnv.keySet());
    EntwineRun run = new EntwineRun(dataDir, env, chosenHere, dataDir.resolve("node.log"));
    try {
      run.launchUntilReady();
    } catch (RuntimeException | Error e) {
      run.close();
      throw e;
    }
    return run;
  }

  /**
   * Launches and waits until ready; when the node exits because a port was taken after it was
   * chosen (by a process that is not a test of this machine: those never share one), chooses new
   * ports and launches again.
   */
  private void launchUntilReady() {
    for (int attempt = 1; ; attempt++) {
      long logEnd = BindFailures.end(log);
      launch();
      try {
        awaitReady(START_TIMEOUT);
        return;
      } catch (AssertionError e) {
        if (attempt == LAUNCH_ATTEMPTS || isAlive() || !BindFailures.since(log, logEnd)) {
          throw e;
        }
        choosePortsAgain();
      }
    }
  }

  private void choosePortsAgain() {
    boolean cassandraRuns = cassandra().map(ProcessHandle::isAlive).orElse(false);
    for (String port : portsChosenHere) {
      // a Cassandra still running on its port is adopted there by the next launch
      if (!(port.equals(CASSANDRA_PORT) && cassandraRuns)) {
        env.put(port, Integer.toString(Ports.free()));
      }
    }
  }

  private void launch() {
    // ENTWINE_JAVA_OPTS as bin/entwine reads it; unset, a small heap and the quick-starting C1
    // compiler suit a test that starts a node for a few requests
    String javaOpts = env.get("ENTWINE_JAVA_OPTS");
    List<String> jvmOptions =
        new ArrayList<>(
            javaOpts == null
                ? List.of("-Xms64m", "-Xmx512m", "-XX:TieredStopAtLevel=1")
                : List.of(javaOpts.trim().split("\\s+")));
    jvmOptions.add(
        "-Dentwine.cassandra.classpath=" + requiredProperty("entwine.cassandra.classpath"));
    // e.g. -Dentwine.node.jvm-options="-XX:StartFlightRecording=filename=node.jfr" to profile
    for (String option : System.getProperty("entwine.node.jvm-options", "").split(" ")) {
      if (!option.isBlank()) {
        jvmOptions.add(option);
      }
    }
    try {
      Files.createDirectories(dataDir);
      // as deploy/bin/entwine: the module's classes, then every runtime dependency Maven listed
      launchJvm(jvmOptions, productionClasspath());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the node in " + dataDir, e);
    }
  }

  /** {@code deploy/target/classes} and the contents of {@code deploy/target/entwine.classpath}. */
  public static String productionClasspath() {
    Path classpathFile = Path.of(requiredProperty(PROPERTY_NODE_CLASSPATH));
    try {
      return requiredProperty(PROPERTY_NODE_CLASSES)
          + java.io.File.pathSeparator
          + Files.readString(classpathFile).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "No " + classpathFile + ": it is written by `mvn package` in deploy", e);
    }
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "System property " + name + " is not set; run this test through Maven (failsafe)");
    }
    return value;
  }

  public int cassandraPort() {
    return Integer.parseInt(env.get("ENTWINE_CASSANDRA_PORT"));
  }

  public String managementUrl() {
    return "http://127.0.0.1:" + env.get("ENTWINE_MANAGEMENT_PORT");
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The embedded Cassandra's process, from the pid file its launcher keeps in the data dir. */
  public Optional<ProcessHandle> cassandra() {
    Path pidFile = dataDir.resolve("cassandra").resolve("cassandra.pid");
    try {
      return Files.isRegularFile(pidFile)
          ? ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
          : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** SIGKILL of the node's JVM alone; its Cassandra keeps running, as after a node crash. */
  public void killNode() {
    killJvm();
  }

  /** SIGKILL of the embedded Cassandra alone. */
  public void killCassandra() {
    cassandra()
        .ifPresent(
            cassandra -> {
              cassandra.destroyForcibly();
              awaitExit(cassandra, Duration.ofSeconds(30));
            });
  }

  /**
   * Starts the node again on the same data directory and ports (others only if one was taken
   * meanwhile); waits until it is ready.
   */
  public void restart() {
    stop();
    launchUntilReady();
  }

  /** Stops the node, and its Cassandra if the node left it running (e.g. after a kill). */
  @Override
  public void close() {
    stop();
    cassandra().ifPresent(cassandra -> stop(cassandra, Duration.ofSeconds(60)));
  }
}
