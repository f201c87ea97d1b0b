package io.entwine.bench;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Opens many MQTT connections with a bounded number of CONNECTs in flight, spread over several
 * 127.0.0.x source addresses (one address has ≈ 28k ephemeral ports).
 */
final class Connections {
  private Connections() {}

  /** The clients in device order; {@code null} where the connection failed. */
  static List<MqttClient> open(
      Vertx vertx,
      int port,
      int count,
      int concurrency,
      int sourceAddresses,
      IntFunction<MqttClientOptions> options) {
    List<MqttClient> clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      clients.add(null);
    }
    AtomicInteger next = new AtomicInteger();
    Promise<Void> all = Promise.promise();
    AtomicInteger finished = new AtomicInteger();
    for (int lane = 0; lane < Math.min(concurrency, count); lane++) {
      connectNext(vertx, port, count, sourceAddresses, options, clients, next, finished, all);
    }
    all.future().toCompletionStage().toCompletableFuture().join();
    return clients;
  }

  private static void connectNext(
      Vertx vertx,
      int port,
      int count,
      int sourceAddresses,
      IntFunction<MqttClientOptions> options,
      List<MqttClient> clients,
      AtomicInteger next,
      AtomicInteger finished,
      Promise<Void> all) {
    int index = next.getAndIncrement();
    if (index >= count) {
      return;
    }
    MqttClientOptions clientOptions = options.apply(index);
    clientOptions.setLocalAddress("127.0.0." + (1 + index % sourceAddresses));
    clientOptions.setConnectTimeout(30_000);
    MqttClient client = MqttClient.create(vertx, clientOptions);
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
                connectNext(
                    vertx, port, count, sourceAddresses, options, clients, next, finished, all);
              }
            });
  }

  static long connected(List<MqttClient> clients) {
    synchronized (clients) {
      return clients.stream().filter(c -> c != null).count();
    }
  }
}
