package io.entwine.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Opens many MQTT connections with a bounded number of CONNECTs in flight, spread evenly over the
 * event-loop threads and over several 127.0.0.x source addresses (one address has ≈ 28k ephemeral
 * ports). A client's callbacks run on the thread it was connected from.
 */
final class Connections {
  private final int port;
  private final int count;
  private final int sourceAddresses;
  private final IntFunction<MqttClientOptions> options;
  private final List<MqttClient> clients;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private final Promise<Void> all = Promise.promise();

  private Connections(
      int port, int count, int sourceAddresses, IntFunction<MqttClientOptions> options) {
    this.port = port;
    this.count = count;
    this.sourceAddresses = sourceAddresses;
    this.options = options;
    this.clients = new ArrayList<>(Collections.nCopies(count, null));
  }

  static Vertx vertx(int threads) {
    return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads));
  }

  /** The clients in device order; {@code null} where the connection failed. */
  static List<MqttClient> open(
      Vertx vertx,
      int threads,
      int port,
      int count,
      int concurrency,
      int sourceAddresses,
      IntFunction<MqttClientOptions> options) {
    Connections connections = new Connections(port, count, sourceAddresses, options);
    long started = System.nanoTime();
    List<Context> loops = eventLoops(vertx, threads);
    for (int lane = 0; lane < Math.min(concurrency, count); lane++) {
      loops.get(lane % loops.size()).runOnContext(ignored -> connections.connectNext());
    }
    if (count > 0) {
      connections.all.future().toCompletionStage().toCompletableFuture().join();
    }
    System.err.printf(
        Locale.ROOT,
        "bench: %d of %d connections in %.1f s%n",
        connected(connections.clients),
        count,
        (System.nanoTime() - started) / 1e9);
    return connections.clients;
  }

  /** One context per event-loop thread, taken from the instances of a do-nothing verticle. */
  private static List<Context> eventLoops(Vertx vertx, int threads) {
    List<Context> loops = Collections.synchronizedList(new ArrayList<>());
    vertx
        .deployVerticle(
            () ->
                new AbstractVerticle() {
                  @Override
                  public void start() {
                    loops.add(context);
                  }
                },
            new DeploymentOptions().setInstances(threads))
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    return loops;
  }

  private void connectNext() {
    int index = next.getAndIncrement();
    if (index >= count) {
      return;
    }
    MqttClientOptions clientOptions = options.apply(index);
    clientOptions.setLocalAddress("127.0.0." + (1 + index % sourceAddresses));
    clientOptions.setConnectTimeout(30_000);
    MqttClient client = MqttClient.create(Vertx.currentContext().owner(), clientOptions);
    client
        .connect(port, "127.0.0.1")
        .onComplete(
            result -> {
              if (result.succeeded()) {
                synchronized (clients) {
                  clients.set(index, client);
                }
              }
              if (finished.incrementAndGet() == count) {
                all.complete();
              } else {
                connectNext();
              }
            });
  }

  /** DISCONNECTs every connected client and waits (at most 30 s) until they are closed. */
  static void disconnectAll(List<MqttClient> clients) {
    List<Future<Void>> closed = new ArrayList<>();
    for (MqttClient client : clients) {
      if (client != null && client.isConnected()) {
        closed.add(client.disconnect());
      }
    }
    try {
      Future.join(closed)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception stillOpen) {
      System.err.println("bench: not every connection closed in time: " + stillOpen);
    }
  }

  static long connected(List<MqttClient> clients) {
    synchronized (clients) {
      return clients.stream().filter(c -> c != null).count();
    }
  }
}
