package io.entwine.deploy.testing;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Reads a node's {@code GET /metrics} (Prometheus text) into series → value. */
public final class MetricsScrape {
  private MetricsScrape() {}

  /**
   * Each sample's series (name with its labels, as written) and value; empty when the endpoint does
   * not answer 200.
   */
  public static Map<String, Double> scrape(String managementUrl) {
    try {
      HttpResponse<String> response =
          NodeJvm.get(
              managementUrl + "/metrics",
              Duration.ofSeconds(10),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      Map<String, Double> series = new HashMap<>();
      if (response.statusCode() != 200) {
        return series;
      }
      for (String line : response.body().split("\n")) {
        if (!line.isEmpty() && !line.startsWith("#")) {
          int space = line.lastIndexOf(' ');
          series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
      }
      return series;
    } catch (IOException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
