package io.entwine.deploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Prometheus server (Debian package {@code prometheus}; {@code .ci/run} installs its binary)
 * scraping one node's management port every second, its data in a directory of the test's, queried
 * through its HTTP API as Grafana queries it. Stopped by its PID.
 */
public final class PrometheusServer implements AutoCloseable {
  public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final String baseUrl;
  private final Path log;

  private PrometheusServer(Process process, String baseUrl, Path log) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.log = log;
  }

  /**
   * Starts Prometheus scraping {@code target} ({@code host:port}) as job {@code entwine} and
   * returns once it has scraped it, or skips the calling test (fails it in CI) when the binary is
   * not installed.
   */
  public static PrometheusServer scraping(String target, Path dir) throws IOException {
    if (!CommandLineTools.runs("prometheus")) {
      CommandLineTools.skipOrFailInCi(
          "prometheus is not installed (Debian package prometheus; .ci/run installs it)",
          "the tests that evaluate the dashboards' queries");
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: " + SCRAPE_INTERVAL.toSeconds() + "s",
            "scrape_configs:",
            "  - job_name: entwine",
            "    static_configs:",
            "      - targets: [\"" + target + "\"]",
            ""));
    int port = Ports.free();
    Path log = dir.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                List.of(
                    "prometheus",
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port, log);
    try {
      TestNode.awaitValue(Duration.ofSeconds(60), server::ready, Boolean::booleanValue);
      // a rate() sees what happens from here on: counters that exist now and rise later
      TestNode.awaitValue(Duration.ofSeconds(60), server::scrapedTarget, Boolean::booleanValue);
    } catch (RuntimeException | AssertionError notReady) {
      server.close();
      throw new AssertionError(
          "Prometheus did not start or scrape " + target + ":\n" + server.logText(), notReady);
    }
    return server;
  }

  private boolean scrapedTarget() {
    for (JsonNode up : query("up")) {
      if (up.path("value").path(1).asText().equals("1")) {
        return true;
      }
    }
    return false;
  }

  private boolean ready() {
    if (!process.isAlive()) {
      throw new IllegalStateException("prometheus exited: " + process.exitValue());
    }
    try {
      return get("/-/ready").statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The result of an instant query ({@code GET /api/v1/query}): a JSON array of series. */
  public JsonNode query(String promql) {
    try {
      HttpResponse<String> response =
          get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new AssertionError(promql + " answered " + response.statusCode() + " " + body);
      }
      return body.path("data").path("result");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The values of {@code label} on the series of {@code metric}, as Grafana's label_values. */
  public List<String> labelValues(String metric, String label) {
    try {
      HttpResponse<String> response =
          get(
              "/api/v1/label/"
                  + label
                  + "/values?match[]="
                  + URLEncoder.encode(metric, StandardCharsets.UTF_8));
      List<String> values = new ArrayList<>();
      JSON.readTree(response.body()).path("data").forEach(value -> values.add(value.asText()));
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> get(String path) throws IOException {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(baseUrl + path))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
