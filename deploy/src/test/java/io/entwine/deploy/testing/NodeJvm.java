package io.entwine.deploy.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node in a JVM of its own running {@code io.entwine.deploy.Main}, configured by environment
 * variables, its output appended to a log file: the launch, addresses, readiness and stop that
 * {@link NodeProcess} (a cluster member on the test classpath) and {@link EntwineRun} (a node as
 * {@code entwine run} starts it) have in common. Stops go by process id.
 */
public abstract class NodeJvm implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private Process process;

  /** The node's settings as environment variables ({@code ENTWINE_HTTP_PORT}...). */
  protected final Map<String, String> env;

  protected final Path log;

  /** {@code name} says which node in failure messages. */
  protected NodeJvm(String name, Map<String, String> env, Path log) {
    this.name = name;
    this.env = env;
    this.log = log;
  }

  /**
   * Starts {@code java <jvmOptions> io.entwine.deploy.Main} with {@link #env} over this JVM's
   * environment.
   */
  protected final void launchJvm(List<String> jvmOptions, String classpath) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("io.entwine.deploy.Main");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    // the classpath goes by environment, not on a command line that could grow too long
    builder.environment().put("CLASSPATH", classpath);
    builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"));
    Files.createDirectories(log.getParent());
    process = builder.start();
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

  public int mqttPort() {
    return Integer.parseInt(env.get("ENTWINE_MQTT_PORT"));
  }

  public String mqttUri() {
    return "tcp://127.0.0.1:" + mqttPort();
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Whether {@code /health/ready} answers 200 (Cassandra, cluster membership, HTTP). */
  public boolean isReady() {
    return answersReady(baseUrl());
  }

  /** Waits until the node is ready; fails with the log's end if it exits first. */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isReady()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name + " exited with " + process.exitValue() + "; see " + log + logTail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name + " is not ready after " + timeout + "; see " + log + logTail());
      }
      pause(Duration.ofMillis(250));
    }
  }

  // the log may go with the test's temporary directory; the failure message keeps its end
  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return ", ending:\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** SIGKILL of the node's JVM: it vanishes without leaving the cluster, as in a crash. */
  protected final void killJvm() {
    process.destroyForcibly();
    awaitExit(process.toHandle(), Duration.ofSeconds(30));
  }

  /** Sends SIGTERM and returns at once (to stop several nodes in parallel). */
  public void signalStop() {
    if (isAlive()) {
      process.destroy();
    }
  }

  /** SIGTERM: coordinated shutdown (the node leaves the cluster), after 90 s SIGKILL. */
  public void stop() {
    if (isAlive()) {
      stop(process.toHandle(), Duration.ofSeconds(90));
    }
  }

  /** SIGTERM and up to {@code grace} for the process to exit, then SIGKILL. */
  protected static void stop(ProcessHandle handle, Duration grace) {
    if (handle.isAlive()) {
      handle.destroy();
      if (!awaitExit(handle, grace)) {
        handle.destroyForcibly();
        awaitExit(handle, Duration.ofSeconds(30));
      }
    }
  }

  protected static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the node at {@code baseUrl} answers {@code /health/ready} with 200 within 3 s. */
  static boolean answersReady(String baseUrl) {
    try {
      return get(baseUrl + "/health/ready", Duration.ofSeconds(3), BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A GET on a connection of the test's shared client (2 s to connect). */
  static <T> HttpResponse<T> get(String url, Duration timeout, BodyHandler<T> body)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(), body);
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
