package io.entwine.deploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Entwine node in a JVM of its own ({@code io.entwine.deploy.Main} on the test's classpath),
 * configured by environment variables as {@code deploy/bin/entwine cluster start} does, so that a
 * test can crash it for real ({@link #kill()}: SIGKILL) or stop it as an operator would ({@link
 * #stop()}: SIGTERM, graceful leave).
 */
public final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final int index;
  private final Map<String, String> env;
  private final Path log;
  private Process process;
  private long logEnd;

  private NodeProcess(int index, Map<String, String> env, Path log) {
    this.index = index;
    this.env = Map.copyOf(env);
    this.log = log;
  }

  /** Launches the node; {@link #awaitReady} waits for it. Its output goes to {@code log}. */
  public static NodeProcess launch(int index, Map<String, String> env, Path log) {
    NodeProcess node = new NodeProcess(index, env, log);
    node.launch();
    return node;
  }

  private void launch() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java,
                    // small and quick to start: three of these share two cores with Cassandra
                    "-Xms64m",
                    "-Xmx384m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "io.entwine.deploy.Main"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    // the classpath goes by environment, not on a command line that could grow too long
    builder.environment().put("CLASSPATH", testClasspath());
    builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"));
    try {
      Files.createDirectories(log.getParent());
      logEnd = BindFailures.end(log);
      process = builder.start();
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

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public String env(String name) {
    return env.get(name);
  }

  public int httpPort() {
    return Integer.parseInt(env.get("ENTWINE_HTTP_PORT"));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort();
  }

  public String mqttUri() {
    return "tcp://127.0.0.1:" + env.get("ENTWINE_MQTT_PORT");
  }

  /** The Pekko Management endpoint ({@code /ready}, {@code /cluster/members}, {@code /metrics}). */
  public String managementUrl() {
    return "http://127.0.0." + index + ":" + env.get("ENTWINE_MANAGEMENT_PORT");
  }

  public Path log() {
    return log;
  }

  /** Waits until {@code /health/ready} answers 200 (Cassandra, cluster membership, HTTP). */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isReady()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "Node " + index + " exited with " + process.exitValue() + "; see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Node " + index + " not ready after " + timeout + "; see " + log);
      }
      sleep(Duration.ofMillis(500));
    }
  }

  /** Whether the node exited because a port it was given was taken since the test chose it. */
  public boolean failedToBind() {
    return !isAlive() && BindFailures.since(log, logEnd);
  }

  /** The settings it was launched with. */
  Map<String, String> env() {
    return env;
  }

  public boolean isReady() {
    return answersReady(baseUrl());
  }

  /** Whether the node at {@code baseUrl} answers {@code /health/ready} with 200 within 3 s. */
  static boolean answersReady(String baseUrl) {
    try {
      HttpResponse<Void> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/health/ready"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGKILL: the node vanishes without leaving the cluster, as in a crash. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** Sends SIGTERM and returns at once (to stop several nodes in parallel). */
  public void signalStop() {
    if (isAlive()) {
      process.destroy();
    }
  }

  /** SIGTERM: coordinated shutdown, the node leaves the cluster and hands its shards off. */
  public void stop() {
    if (!isAlive()) {
      return;
    }
    process.destroy();
    if (!awaitExit(Duration.ofSeconds(90))) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(30));
    }
  }

  /** Starts the node again with the same settings (after {@link #kill} or {@link #stop}). */
  public void restart() {
    stop();
    launch();
  }

  private boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
