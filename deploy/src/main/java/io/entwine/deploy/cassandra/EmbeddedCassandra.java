package io.entwine.deploy.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import io.entwine.deploy.cassandra.CqlProbe.NodeInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local single-node Cassandra 5.0 for the default run and the tests, in its own JDK 17 process.
 *
 * <p>{@link #start} reuses a Cassandra that already answers CQL on the port, and otherwise launches
 * one with a generated {@code cassandra.yaml} below the data directory. Only a launched (or
 * adopted) process is stopped by {@link #stop}, by a JVM shutdown hook, or — if this JVM was killed
 * — by the next launcher on the same data directory.
 *
 * <p>(About 500 lines: launching with its retries, reusing, adopting and stopping are one process's
 * life cycle and share its state; its output, lock and command line have classes of their own.)
 */
public final class EmbeddedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final int STORAGE_PORT_ATTEMPTS = 5;

  private final InetSocketAddress contactPoint;
  private final ProcessHandle process;
  private final DataDirLock lock;
  private final Path pidFile;
  private final Thread shutdownHook;
  private volatile NodeInfo node;
  private volatile boolean stopped;
  private volatile CompletionStage<?> stopAfter = CompletableFuture.completedFuture(null);

  /**
   * @param process the owned process, or null for a reused Cassandra; the shutdown hook is in place
   *     from here on, also while the launch still waits for CQL
   */
  private EmbeddedCassandra(
      InetSocketAddress contactPoint, ProcessHandle process, DataDirLock lock, Path pidFile) {
    this.contactPoint = contactPoint;
    this.process = process;
    this.lock = lock;
    this.pidFile = pidFile;
    this.shutdownHook =
        process == null
            ? null
            : new Thread(this::stopWhenDependentsAreDone, "entwine-cassandra-shutdown");
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /**
   * Reuses the Cassandra answering CQL at the settings' address, or launches one and waits until it
   * answers.
   *
   * @throws IllegalStateException if the port is taken by something that does not speak CQL, if no
   *     Java 17 is available, or if Cassandra does not come up within the start timeout
   */
  public static EmbeddedCassandra start(CassandraSettings settings) {
    InetSocketAddress address =
        new InetSocketAddress(settings.listenAddress(), settings.nativePort());
    createDirectories(settings.dataDir());
    Optional<DataDirLock> lock = DataDirLock.tryAcquire(settings.dataDir());
    if (lock.isEmpty()) {
      log.info(
          "Another launcher runs Cassandra in {}; waiting for CQL on {} to share it",
          settings.dataDir(),
          address);
      return reused(address, awaitCql(address, settings.startTimeout(), null, null, 0));
    }
    try {
      return startOwning(settings, address, lock.get());
    } catch (RuntimeException | Error e) {
      lock.get().close();
      throw e;
    }
  }

  private static EmbeddedCassandra startOwning(
      CassandraSettings settings, InetSocketAddress address, DataDirLock lock) {
    Path pidFile = settings.dataDir().resolve("cassandra.pid");
    Optional<ProcessHandle> orphan = orphanedCassandra(pidFile, settings.dataDir());
    if (CqlProbe.isListening(address)) {
      NodeInfo node = describeOrFail(address);
      if (orphan.isPresent()) {
        log.info(
            "Adopting Cassandra {} (pid {}) on {} left running by an earlier launcher",
            node.releaseVersion(),
            orphan.get().pid(),
            address);
        return new EmbeddedCassandra(address, orphan.get(), lock, pidFile).describedAs(node);
      }
      lock.close();
      return reused(address, node);
    }
    orphan.ifPresent(
        process -> {
          log.warn(
              "Stopping Cassandra pid {} left running in {} by an earlier launcher",
              process.pid(),
              settings.dataDir());
          terminate(process);
        });
    return launch(settings, address, lock, pidFile);
  }

  private static EmbeddedCassandra launch(
      CassandraSettings settings, InetSocketAddress address, DataDirLock lock, Path pidFile) {
    long startedAt = System.nanoTime();
    Path java = Jdk17Locator.findJava();
    String classpath = CassandraCommand.readClasspath(settings.classpathFile());
    int storagePort = CassandraPorts.storagePort(settings);
    for (int attempt = 1; ; attempt++) {
      Process process = startProcess(java, classpath, settings, storagePort);
      writeString(pidFile, Long.toString(process.pid()));
      EmbeddedCassandra cassandra =
          new EmbeddedCassandra(address, process.toHandle(), lock, pidFile);
      try {
        cassandra.describedAs(
            awaitCql(address, settings.startTimeout(), process, outputFile(settings), storagePort));
      } catch (StoragePortTakenException e) {
        // A port found free can be bound by another process before Cassandra, seconds later,
        // binds it (two nodes starting at once both found 7000 free); a single-node ring only
        // refers to itself, so any other port does.
        cassandra.forgetExited();
        if (attempt == STORAGE_PORT_ATTEMPTS) {
          throw e;
        }
        int next = CassandraPorts.free(settings.listenAddress());
        log.warn("{}; starting Cassandra again with storage port {}", e.getMessage(), next);
        storagePort = next;
        continue;
      } catch (RuntimeException | Error e) {
        cassandra.stop();
        throw e;
      }
      log.info(
          "Cassandra {} started on {} in {} ms (pid {}, data in {})",
          cassandra.releaseVersion(),
          address,
          Duration.ofNanos(System.nanoTime() - startedAt).toMillis(),
          process.pid(),
          settings.dataDir());
      return cassandra;
    }
  }

  private static Process startProcess(
      Path java, String classpath, CassandraSettings settings, int storagePort) {
    Path configDir = settings.dataDir().resolve("conf");
    Path logDir = settings.dataDir().resolve("logs");
    writeConfiguration(settings, storagePort, configDir, logDir);
    return startProcess(
        CassandraCommand.build(
            java,
            settings,
            storagePort,
            configDir,
            logDir,
            classpath,
            CassandraCommand.shouldDropMemoryLocking()),
        settings.dataDir(),
        outputFile(settings));
  }

  private static Path outputFile(CassandraSettings settings) {
    return settings.dataDir().resolve("logs").resolve("cassandra.out");
  }

  private static void writeConfiguration(
      CassandraSettings settings, int storagePort, Path configDir, Path logDir) {
    createDirectories(configDir);
    createDirectories(logDir);
    createDirectories(settings.dataDir().resolve("triggers"));
    CommitLogAccess commitLog =
        CommitLogAccess.forDirectory(CassandraYaml.commitLogDirectory(settings));
    if (commitLog != CommitLogAccess.DIRECT) {
      log.info(
          "{} refuses O_DIRECT; Cassandra syncs its commit log with msync (slower)",
          CassandraYaml.commitLogDirectory(settings));
    }
    writeString(
        configDir.resolve("cassandra.yaml"),
        CassandraYaml.render(settings, storagePort, commitLog));
    writeString(
        configDir.resolve("logback.xml"), CassandraYaml.resourceText("logback-cassandra.xml"));
  }

  private static Process startProcess(List<String> command, Path workingDir, Path output) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workingDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(Redirect.to(output.toFile()));
    // options meant for the Entwine JVM (agents, debuggers) must not reach Cassandra's
    builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + command.get(0), e);
    }
  }

  private static EmbeddedCassandra reused(InetSocketAddress address, NodeInfo node) {
    log.info(
        "Reusing Cassandra {} already answering CQL on {}; it is left running at stop",
        node.releaseVersion(),
        address);
    return new EmbeddedCassandra(address, null, null, null).describedAs(node);
  }

  private EmbeddedCassandra describedAs(NodeInfo node) {
    this.node = node;
    return this;
  }

  /** The address the driver connects to. */
  public InetSocketAddress contactPoint() {
    return contactPoint;
  }

  public int nativePort() {
    return contactPoint.getPort();
  }

  /** The node's data center, for {@code basic.load-balancing-policy.local-datacenter}. */
  public String localDatacenter() {
    return node.datacenter();
  }

  public String releaseVersion() {
    return node.releaseVersion();
  }

  /** Whether {@link #stop} stops a process; false when an existing Cassandra was reused. */
  public boolean ownsProcess() {
    return process != null;
  }

  /** The Cassandra process id, when this instance owns the process. */
  public OptionalLong pid() {
    return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
  }

  /** A new driver session on this node; the caller closes it. */
  public CqlSession openSession() {
    return CqlProbe.openSession(contactPoint, node.datacenter());
  }

  /** Blocks until the owned Cassandra process exits; returns at once for a reused one. */
  public void awaitTermination() throws InterruptedException {
    if (process == null) {
      return;
    }
    try {
      process.onExit().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Stops the owned Cassandra: SIGTERM, up to 30 s to drain, then SIGKILL. Does nothing for a
   * reused Cassandra, and nothing the second time.
   */
  public synchronized void stop() {
    if (process == null || stopped) {
      return;
    }
    stopped = true;
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shutdownInProgress) {
        // the hook runs anyway and finds this instance stopped
      }
    }
    terminate(process);
    deleteIfExists(pidFile);
    lock.close();
    log.info("Cassandra pid {} on {} stopped", process.pid(), contactPoint);
  }

  // A launch attempt whose process already exited: nothing to stop, and the lock stays held for
  // the next attempt.
  private synchronized void forgetExited() {
    stopped = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shutdownInProgress) {
      // the hook finds this instance stopped
    }
    deleteIfExists(pidFile);
  }

  /**
   * On JVM shutdown, waits (at most {@link #STOP_TIMEOUT}) for {@code dependents} — e.g. the node's
   * actor system terminating — before stopping Cassandra, so the node never sees it vanish.
   */
  public void stopAfter(CompletionStage<?> dependents) {
    this.stopAfter = dependents;
  }

  private void stopWhenDependentsAreDone() {
    try {
      stopAfter.toCompletableFuture().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "Stopping Cassandra without waiting any longer for its dependents: {}", e.toString());
    }
    stop();
  }

  /** Whether {@link #stop} was called (by the caller or the shutdown hook). */
  public boolean isStopped() {
    return stopped;
  }

  @Override
  public void close() {
    stop();
  }

  private static NodeInfo awaitCql(
      InetSocketAddress address, Duration timeout, Process process, Path output, int storagePort) {
    long deadline = System.nanoTime() + timeout.toNanos();
    DriverException lastFailure = null;
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        CassandraOutput.failOnTakenPort(output, storagePort, address);
        throw new IllegalStateException(
            "Cassandra exited with code "
                + process.exitValue()
                + " before answering CQL on "
                + address
                + CassandraOutput.tail(output));
      }
      if (CqlProbe.isListening(address)) {
        try {
          return CqlProbe.describe(address);
        } catch (DriverException e) {
          lastFailure = e;
        }
      }
      sleep(POLL_INTERVAL);
    }
    throw new IllegalStateException(
        "Cassandra did not answer CQL on "
            + address
            + " within "
            + timeout.toSeconds()
            + " s"
            + (lastFailure == null ? "" : " (last error: " + lastFailure.getMessage() + ")")
            + CassandraOutput.tail(output),
        lastFailure);
  }

  private static NodeInfo describeOrFail(InetSocketAddress address) {
    try {
      return CqlProbe.describe(address);
    } catch (DriverException | IllegalStateException e) {
      throw new IllegalStateException(
          "Port "
              + address.getPort()
              + " on "
              + address.getHostString()
              + " is in use but does not answer CQL ("
              + e.getMessage()
              + "). Stop what listens there or choose another port with "
              + CassandraSettings.ENV_NATIVE_PORT
              + ".",
          e);
    }
  }

  // A launcher killed without running its shutdown hook leaves its Cassandra running; the pid file
  // and the data directory on the process's command line recognise it.
  private static Optional<ProcessHandle> orphanedCassandra(Path pidFile, Path dataDir) {
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    String dataDirOption = CassandraCommand.storageDirOption(dataDir) + " ";
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            process ->
                process
                    .info()
                    .commandLine()
                    .filter(line -> line.contains(dataDirOption))
                    .isPresent());
  }

  private static void terminate(ProcessHandle process) {
    process.destroy();
    try {
      process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn(
          "Cassandra pid {} did not stop within {} s; killing it",
          process.pid(),
          STOP_TIMEOUT.toSeconds());
      process.destroyForcibly();
      process.onExit().join();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Cassandra", e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeString(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", file, e.toString());
    }
  }
}
