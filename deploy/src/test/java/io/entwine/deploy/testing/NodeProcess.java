package io.entwine.deploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One Entwine node in a JVM of its own ({@code io.entwine.deploy.Main} on the test's classpath),
 * configured by environment variables as {@code deploy/bin/entwine cluster start} does, so that a
 * test can crash it for real ({@link #kill()}: SIGKILL) or stop it as an operator would ({@link
 * #stop()}: SIGTERM, graceful leave).
 */
public final class NodeProcess extends NodeJvm {
  // small and quick to start: three of these share two cores with Cassandra
  private static final List<String> JVM_OPTIONS =
      List.of("-Xms64m", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final int index;
  private long logEnd;

  private NodeProcess(int index, Map<String, String> env, Path log) {
    super("Node " + index, Map.copyOf(env), log);
    this.index = index;
  }

  /** Launches the node; {@link #awaitReady} waits for it. Its output goes to {@code log}. */
  public static NodeProcess launch(int index, Map<String, String> env, Path log) {
    NodeProcess node = new NodeProcess(index, env, log);
    node.launch();
    return node;
  }

  private void launch() {
    try {
      logEnd = BindFailures.end(log);
      launchJvm(JVM_OPTIONS, testClasspath());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start node " + index, e);
    }
  }

  private static String testClasspath() {
    // with a manifest-only booter jar, Surefire/Failsafe keep the real classpath here
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  public int index() {
    return index;
  }

  /** The Pekko Management endpoint ({@code /ready}, {@code /cluster/members}, {@code /metrics}). */
  public String managementUrl() {
    return "http://127.0.0." + index + ":" + env.get("ENTWINE_MANAGEMENT_PORT");
  }

  /** Whether the node exited because a port it was given was taken since the test chose it. */
  public boolean failedToBind() {
    return !isAlive() && BindFailures.since(log, logEnd);
  }

  /** The settings it was launched with. */
  Map<String, String> env() {
    return env;
  }

  /** SIGKILL: the node vanishes without leaving the cluster, as in a crash. */
  public void kill() {
    killJvm();
  }

  /** Starts the node again with the same settings (after {@link #kill} or {@link #stop}). */
  public void restart() {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
  }
}
