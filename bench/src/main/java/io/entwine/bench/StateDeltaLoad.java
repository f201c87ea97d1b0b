package io.entwine.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The twin's desired state reaching its device (issue 19, {@code bench twin-state}): {@code
 * --connections} devices connect over MQTT and subscribe to {@code iot-2/state/delta} at QoS 1; an
 * application PATCHes one device's desired state over HTTP at a paced total {@code --rate}, each
 * patch {@code {"t":<send time>}}, so the delta the device receives carries the time the PATCH was
 * sent. Records PATCH sent → delta received and PATCH sent → {@code 200}. Prints progress on stderr
 * and one line of {@code name=value} figures on stdout ({@link #figures}).
 */
public final class StateDeltaLoad {
  static final String DELTA_TOPIC = "iot-2/state/delta";

  private final HttpClient http = OrganizationHttp.client();
  private final MqttTarget target;
  private final int httpPort;
  private final Histogram deltaLatency = new Histogram();
  private final Histogram patchLatency = new Histogram();
  private final LongAdder patched = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder deltas = new LongAdder();
  private final PacedRun paced = new PacedRun();

  private StateDeltaLoad(MqttTarget target, int httpPort) {
    this.target = target;
    this.httpPort = httpPort;
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    MqttTarget target = MqttTarget.from(args);
    if (!target.isEntwine()) {
      throw new IllegalArgumentException("--api-key and --api-token are required");
    }
    StateDeltaLoad load = new StateDeltaLoad(target, args.integer("http", 8080));
    Vertx vertx = Connections.vertx(1);
    try {
      load.run(
          vertx,
          args.integer("connections", 1000),
          args.integer("rate", 100),
          args.integer("seconds", 20),
          args.integer("warmup", 5));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private void run(Vertx vertx, int connections, int rate, int seconds, int warmUp)
      throws InterruptedException {
    List<MqttClient> clients =
        Connections.open(vertx, 1, target.port(), connections, 100, 1, target::device);
    List<Integer> subscribed = subscribeAll(clients);
    System.err.printf(
        Locale.ROOT, "bench: %d devices subscribed to %s%n", subscribed.size(), DELTA_TOPIC);
    double elapsed =
        paced.run(
            rate,
            warmUp,
            seconds,
            n -> patch(subscribed.get((int) (n % subscribed.size()))),
            this::resetFigures);
    System.out.println(
        figures(
            subscribed.size(),
            rate,
            patched.sum(),
            refused.sum(),
            deltas.sum(),
            elapsed,
            deltaLatency,
            patchLatency));
    Connections.disconnectAll(clients);
  }

  private void resetFigures() {
    patched.reset();
    refused.reset();
    deltas.reset();
    deltaLatency.reset();
    patchLatency.reset();
  }

  /** The devices whose connection subscribed to its delta, by number. */
  private List<Integer> subscribeAll(List<MqttClient> clients) {
    List<Future<Integer>> granted = new ArrayList<>();
    List<Integer> devices = new ArrayList<>();
    for (int device = 0; device < clients.size(); device++) {
      MqttClient client = clients.get(device);
      if (client == null) {
        continue;
      }
      client.publishHandler(
          message -> onDelta(message.payload().toString(StandardCharsets.US_ASCII)));
      granted.add(client.subscribe(DELTA_TOPIC, MqttQoS.AT_LEAST_ONCE.value()));
      devices.add(device);
    }
    Future.join(granted).toCompletionStage().toCompletableFuture().join();
    if (devices.isEmpty()) {
      throw new IllegalStateException("no device connected");
    }
    return devices;
  }

  private void onDelta(String payload) {
    if (paced.measuring()) {
      SendTime.recordSince(payload, deltaLatency);
      deltas.increment();
    }
  }

  /** One merge patch of the device's desired state, carrying its send time. */
  private void patch(int device) {
    if (!paced.running()) {
      return;
    }
    long sent = System.nanoTime();
    HttpRequest request =
        OrganizationHttp.deviceRequest(httpPort, target.org(), device, "/state/desired")
            .header("Authorization", DeviceSetup.basic(target.apiKey(), target.apiToken()))
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"t\":" + SendTime.now() + "}"))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (!paced.measuring()) {
                return;
              }
              if (failure == null && response.statusCode() == 200) {
                patched.increment();
                patchLatency.record(System.nanoTime() - sent);
                return;
              }
              refused.increment();
              if (refused.sum() <= 3) {
                System.err.println(
                    "bench: PATCH refused: "
                        + (failure != null ? failure : "status " + response.statusCode()));
              }
            });
  }

  /** The figures line {@code bench/run} reads. */
  static String figures(
      int devices,
      int rate,
      long patched,
      long refused,
      long deltas,
      double seconds,
      Histogram delta,
      Histogram patch) {
    return String.format(
        Locale.ROOT,
        "devices=%d rate=%d patched=%d refused=%d deltas=%d patches_per_s=%.0f delta_p50=%.1f"
            + " delta_p99=%.1f delta_max=%.1f patch_p50=%.1f patch_p99=%.1f",
        devices,
        rate,
        patched,
        refused,
        deltas,
        patched / seconds,
        delta.percentileMillis(50),
        delta.percentileMillis(99),
        delta.percentileMillis(100),
        patch.percentileMillis(50),
        patch.percentileMillis(99));
  }
}
