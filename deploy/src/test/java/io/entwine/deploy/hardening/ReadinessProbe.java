package io.entwine.deploy.hardening;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** GET /health/ready every 200 ms on a connection of its own; remembers every non-200. */
final class ReadinessProbe {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final HttpRequest request;
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile int probes;

  ReadinessProbe(String baseUrl) {
    request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build();
    thread = new Thread(this::run, "fuzz-readiness-probe");
  }

  void start() {
    thread.start();
  }

  private void run() {
    while (running) {
      long started = System.nanoTime();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          failures.add(response.statusCode() + " " + response.body());
        }
      } catch (IOException e) {
        failures.add(e.toString());
      } catch (InterruptedException e) {
        return;
      }
      probes++;
      long left = 200 - (System.nanoTime() - started) / 1_000_000;
      if (left > 0) {
        try {
          Thread.sleep(left); // the probe's period, not a wait for something to happen
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  void stop() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }

  int probes() {
    return probes;
  }

  List<String> failures() {
    return List.copyOf(failures);
  }
}
