package io.entwine.bench;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.mqtt.MqttClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Application streams under load (issue 20): devices publish over HTTP at a paced total rate,
 * carrying their send time; SSE clients ({@code --clients}) read the organization's stream and
 * record publish → receive latency. With {@code --reference}, an MQTT application on the same node
 * records the same for its live feed (the same messages, the same run). {@code --webhook N} instead
 * publishes N events unpaced and times their delivery to a local receiver registered as a webhook.
 * Prints progress on stderr and one {@code name=value} line on stdout.
 */
public final class StreamLoad {
  private static final HttpClient HTTP = OrganizationHttp.client();

  private final int httpPort;
  private final String org;
  private final String apiKey;
  private final String apiToken;
  private final int devices;
  private final Histogram sseLatency = new Histogram();
  private final Histogram mqttLatency = new Histogram();
  private final LongAdder sseReceived = new LongAdder();
  private final LongAdder mqttReceived = new LongAdder();
  private final LongAdder published = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final PacedRun paced = new PacedRun();

  private StreamLoad(Args args) {
    this.httpPort = args.integer("http", 8080);
    this.org = args.text("org", "bench");
    this.apiKey = args.text("api-key");
    this.apiToken = args.text("api-token");
    this.devices = args.integer("devices", 10);
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    StreamLoad load = new StreamLoad(args);
    int webhookEvents = args.integer("webhook", 0);
    if (webhookEvents > 0) {
      load.webhook(webhookEvents);
    } else {
      load.streams(args);
    }
    System.exit(0); // the SSE readers block in reads of unending streams
  }

  private void streams(Args args) throws Exception {
    int clients = args.integer("clients", 1);
    int rate = args.integer("rate", 100);
    int seconds = args.integer("seconds", 20);
    int warmUp = args.integer("warmup", 10);
    List<InputStream> streams = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      streams.add(openStream("?kinds=event&typeId=" + MqttTarget.DEVICE_TYPE));
    }
    Vertx vertx = Vertx.vertx();
    MqttClient reference =
        args.integer("reference", 0) > 0 ? subscribe(vertx, args.integer("reference", 0)) : null;
    double elapsed =
        paced.run(rate, warmUp, seconds, n -> publish((int) (n % devices)), this::resetFigures);
    System.out.printf(
        Locale.ROOT,
        "clients=%d rate=%d published=%d refused=%d sse_received=%d sse_deliveries_per_s=%.0f"
            + " sse_p50=%.1f sse_p99=%.1f sse_max=%.1f mqtt_received=%d mqtt_p50=%.1f"
            + " mqtt_p99=%.1f%n",
        clients,
        rate,
        published.sum(),
        refused.sum(),
        sseReceived.sum(),
        sseReceived.sum() / elapsed,
        sseLatency.percentileMillis(50),
        sseLatency.percentileMillis(99),
        sseLatency.percentileMillis(100),
        mqttReceived.sum(),
        mqttLatency.percentileMillis(50),
        mqttLatency.percentileMillis(99));
    if (reference != null) {
      reference.disconnect();
    }
    for (InputStream stream : streams) {
      stream.close();
    }
    vertx.close();
  }

  private void resetFigures() {
    sseReceived.reset();
    mqttReceived.reset();
    published.reset();
    sseLatency.reset();
    mqttLatency.reset();
  }

  /** One device event, its send time in the payload; answered 200 once persisted. */
  private void publish(int device) {
    if (!paced.running()) {
      return;
    }
    String body = "{\"d\":{\"t\":" + SendTime.now() + "}}";
    HttpRequest request = eventRequest(device, body);
    HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (failure == null && response.statusCode() == 200) {
                published.increment();
              } else {
                refused.increment();
              }
            });
  }

  private InputStream openStream(String query) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/api/v0002/streams/events" + query))
            .header("Host", org + ".localhost")
            .header("Authorization", DeviceSetup.basic(apiKey, apiToken))
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("stream refused: " + response.statusCode());
    }
    InputStream body = response.body();
    Thread reader = new Thread(() -> read(body), "sse-reader");
    reader.setDaemon(true);
    reader.start();
    return body;
  }

  private void read(InputStream body) {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("data: ")) {
          received(line, sseLatency, sseReceived);
        }
      }
    } catch (IOException e) {
      // closed at the end of the run
    }
  }

  /** The reference: an MQTT application of the same organization on the same node. */
  private MqttClient subscribe(Vertx vertx, int mqttPort) {
    MqttTarget target = new MqttTarget(mqttPort, org, apiKey, apiToken);
    MqttClient subscriber = MqttClient.create(vertx, target.application("bench-streams"));
    subscriber.publishHandler(
        message ->
            received(
                message.payload().toString(StandardCharsets.US_ASCII), mqttLatency, mqttReceived));
    subscriber
        .connect(mqttPort, "127.0.0.1")
        .compose(connack -> subscriber.subscribe(MqttTarget.APPLICATION_FILTER, 0))
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    return subscriber;
  }

  private void received(String text, Histogram latency, LongAdder count) {
    if (!paced.measuring()) {
      return;
    }
    SendTime.recordSince(text, latency);
    count.increment();
  }

  /**
   * Registers a webhook to a receiver on a free local port, publishes {@code events} with 64 in
   * flight, and times their delivery: from the first to the last event the receiver gets.
   */
  private void webhook(int events) throws Exception {
    LongAdder delivered = new LongAdder();
    LongAdder batches = new LongAdder();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    receiver.createContext(
        "/hook",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          long now = System.nanoTime();
          first.compareAndSet(0, now);
          last.set(now);
          delivered.add(new JsonArray(new String(body, StandardCharsets.UTF_8)).size());
          batches.increment();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.start();
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    HttpResponse<String> created =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/api/v0002/webhooks"))
                .header("Host", org + ".localhost")
                .header("Authorization", DeviceSetup.basic(apiKey, apiToken))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"url\":\"" + url + "\",\"filter\":{\"kinds\":\"event\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() != 201) {
      throw new IllegalStateException("webhook refused: " + created.body());
    }
    Semaphore inFlight = new Semaphore(64);
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      inFlight.acquire();
      int device = i % devices;
      String body = "{\"d\":{\"n\":" + i + "}}";
      HTTP.sendAsync(eventRequest(device, body), HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, failure) -> {
                inFlight.release();
                if (failure == null && response.statusCode() == 200) {
                  published.increment();
                } else {
                  refused.increment();
                }
              });
    }
    inFlight.acquire(64);
    double publishSeconds = (System.nanoTime() - start) / 1e9;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (delivered.sum() < published.sum() && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling the receiver's count; nothing to await on
    }
    double deliverySeconds = Math.max(1e-3, (last.get() - first.get()) / 1e9);
    System.out.printf(
        Locale.ROOT,
        "published=%d refused=%d publish_per_s=%.0f delivered=%d batches=%d"
            + " webhook_events_per_s=%.0f webhook_batches_per_s=%.1f%n",
        published.sum(),
        refused.sum(),
        published.sum() / publishSeconds,
        delivered.sum(),
        batches.sum(),
        delivered.sum() / deliverySeconds,
        batches.sum() / deliverySeconds);
    receiver.stop(0);
  }

  private HttpRequest eventRequest(int device, String body) {
    return OrganizationHttp.deviceRequest(httpPort, org, device, "/events/status")
        .header(
            "Authorization", DeviceSetup.basic("use-token-auth", MqttTarget.deviceToken(device)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
