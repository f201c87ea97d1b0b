package io.entwine.bench;

import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import java.util.List;
import java.util.Locale;

/**
 * Opens {@code --connections} idle device connections (keep-alive 120 s, nothing published) spread
 * over {@code --source-addresses} loopback addresses, prints {@code connected=N failed=F}, then
 * holds them until its standard input closes.
 */
public final class MqttIdleConnections {
  private MqttIdleConnections() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    MqttTarget target = MqttTarget.from(args);
    int count = args.integer("connections", 10_000);
    Vertx vertx = Connections.vertx(2);
    List<MqttClient> clients =
        Connections.open(
            vertx,
            2,
            target.port(),
            count,
            args.integer("concurrency", 50),
            args.integer("source-addresses", 4),
            device -> target.device(device).setKeepAliveInterval(120));
    long connected = Connections.connected(clients);
    System.out.printf(Locale.ROOT, "connected=%d failed=%d%n", connected, count - connected);
    System.out.flush();
    while (System.in.read() >= 0) {
      // hold the connections until the caller closes our input
    }
    long stillConnected = clients.stream().filter(c -> c != null && c.isConnected()).count();
    System.out.printf(Locale.ROOT, "held=%d%n", stillConnected);
    Connections.disconnectAll(clients);
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
