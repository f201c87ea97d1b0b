package io.entwine.deploy.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The command line that runs Cassandra's daemon in its own JVM. */
final class CassandraCommand {

  static final String DAEMON_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  /** The JPMS and Netty options of Cassandra 5.0's {@code conf/jvm17-server.options}. */
  static final List<String> JVM17_SERVER_OPTIONS =
      List.of(
          "-Djdk.attach.allowAttachSelf=true",
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports=java.sql/java.sql=ALL-UNNAMED",
          "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "-Dio.netty.tryReflectionSetAccessible=true",
          "-Dio.netty.allocator.useCacheForAllThreads=true",
          "-Dio.netty.allocator.maxOrder=11");

  /** The G1 settings of {@code jvm17-server.options}, fit for a 1 GB heap as well. */
  static final List<String> GC_OPTIONS =
      List.of(
          "-XX:+UseG1GC",
          "-XX:+ParallelRefProcEnabled",
          "-XX:MaxTenuringThreshold=1",
          "-XX:G1RSetUpdatingPauseTimePercent=5",
          "-XX:MaxGCPauseMillis=300",
          "-XX:InitiatingHeapOccupancyPercent=70");

  /** Keeps schema changes in memory (and the commit log) instead of flushing them at once. */
  static final String THROWAWAY_SCHEMA_OPTION = "-Dcassandra.test.flush_local_schema_changes=false";

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private CassandraCommand() {}

  /**
   * The full command.
   *
   * @param java a JDK 17 {@code java} executable
   * @param configDir holds {@code cassandra.yaml} and {@code logback.xml}
   * @param wrapWithSetpriv drop CAP_IPC_LOCK first (see {@link #shouldDropMemoryLocking})
   */
  static List<String> build(
      Path java,
      CassandraSettings settings,
      int storagePort,
      Path configDir,
      Path logDir,
      String classpath,
      boolean wrapWithSetpriv) {
    List<String> command = new ArrayList<>();
    if (wrapWithSetpriv) {
      command.addAll(List.of(SETPRIV.toString(), "--bounding-set=-ipc_lock"));
    }
    command.add(java.toString());
    command.add(storageDirOption(settings.dataDir()));
    command.addAll(JVM17_SERVER_OPTIONS);
    command.addAll(GC_OPTIONS);
    command.add("-Xms" + settings.initialHeap());
    command.add("-Xmx" + settings.maxHeap());
    command.add("-Xss256k");
    // Cassandra's advice: a node that carries on after an OutOfMemoryError may corrupt data
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Djava.net.preferIPv4Stack=true");
    command.addAll(settings.extraJvmOptions());
    command.add("-Dcassandra-foreground=yes");
    command.add("-Dcassandra.config=" + configDir.resolve("cassandra.yaml").toUri());
    command.add("-Dlogback.configurationFile=" + configDir.resolve("logback.xml").toUri());
    command.add("-Dcassandra.logdir=" + logDir);
    command.add("-Dcassandra.triggers_dir=" + settings.dataDir().resolve("triggers"));
    command.add("-Dcassandra.native_transport_port=" + settings.nativePort());
    command.add("-Dcassandra.storage_port=" + storagePort);
    command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    // a single node has no peers to tell about its shutdown; saves 2 s at every stop
    command.add("-Dcassandra.shutdown_announce_in_ms=0");
    if (settings.throwawayData()) {
      // Faster DDL for tests only: unflushed schema tables are not replayed from the commit log
      // before the tables' own mutations, so a kill before the next clean stop loses the tables.
      command.add(THROWAWAY_SCHEMA_OPTION);
    }
    // no JMX port: one port less to collide on, and nothing here uses nodetool
    command.add("-cp");
    command.add(classpath);
    command.add(DAEMON_CLASS);
    return command;
  }

  /**
   * The option naming the data directory. It comes first so that it shows in {@link
   * ProcessHandle.Info#commandLine()}, which the JDK cuts after 4 KB — well before the classpath
   * ends.
   */
  static String storageDirOption(Path dataDir) {
    return "-Dcassandra.storagedir=" + dataDir;
  }

  /**
   * Whether to start Cassandra without CAP_IPC_LOCK: as root it would otherwise {@code mlockall}
   * its whole address space (about 1.4 GB), which a development machine cannot spare.
   */
  static boolean shouldDropMemoryLocking() {
    return isRoot() && Files.isExecutable(SETPRIV);
  }

  /** Reads the classpath {@code deploy/cassandra-server} wrote, checking that the jars exist. */
  static String readClasspath(Path classpathFile) {
    String hint =
        " Build it with `./mvnw -pl deploy/cassandra-server generate-resources`, or point "
            + CassandraSettings.ENV_CLASSPATH_FILE
            + " at a classpath file.";
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException(
          "Cassandra's classpath file " + classpathFile + " is missing." + hint);
    }
    String classpath;
    try {
      classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (classpath.isEmpty()) {
      throw new IllegalStateException(
          "Cassandra's classpath file " + classpathFile + " is empty." + hint);
    }
    List<String> missing =
        Stream.of(classpath.split(File.pathSeparator))
            .filter(jar -> !Files.isRegularFile(Path.of(jar)))
            .toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "Cassandra's classpath " + classpathFile + " names missing jars " + missing + "." + hint);
    }
    return classpath;
  }

  private static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException notUnix) {
      return false;
    }
  }
}
