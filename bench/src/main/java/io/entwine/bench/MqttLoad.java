package io.entwine.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The MQTT load generator used against Entwine and against the reference broker alike: many device
 * connections, each publishing the same JSON payload with a bounded window of messages in flight,
 * optionally paced to a total rate, optionally with one application subscribed to every device's
 * events to measure device → application latency.
 *
 * <p>QoS 1: a connection keeps up to {@code --window} PUBLISHes waiting for their PUBACK (latency =
 * PUBLISH to PUBACK). QoS 0 has no acknowledgement, so after every {@code --window} messages the
 * connection sends a PINGREQ; a broker answers it only after reading everything before it, and a
 * connection keeps at most two such batches unanswered. Throughput counts messages the broker
 * acknowledged (QoS 1) or read (QoS 0) inside the measured interval.
 *
 * <p>With {@code --reported} (Entwine only) the devices publish patches of their twin's reported
 * state on {@code iot-2/state/reported} instead of events, {@code {"t":…,"p":"xx…"}} of the same
 * size; the send time changes with every patch, so each one is a new version the twin persists.
 *
 * <p>{@code --threads} event loops (1 by default, leaving the other core to the broker) serve the
 * connections. Prints progress on stderr and, last on stdout, one line of {@code name=value}
 * figures; with {@code --cpu}, also the CPU time per message of the processes named there; with
 * {@code --timeline FILE}, every acknowledged message's send time and latency go to FILE.
 */
public final class MqttLoad {
  private final MqttTarget target;
  private final MqttQoS qos;
  private final int window;
  private final int payloadBytes;
  private final boolean reported;
  private final AckTimeline timeline;
  private final Histogram ackLatency = new Histogram();
  private final Histogram endToEndLatency = new Histogram();
  private final LongAdder confirmed = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private volatile boolean measuring;
  private volatile boolean running = true;

  private MqttLoad(
      MqttTarget target,
      MqttQoS qos,
      int window,
      int payloadBytes,
      boolean reported,
      AckTimeline timeline) {
    if (reported && !target.isEntwine()) {
      throw new IllegalArgumentException("--reported needs Entwine (--api-key, --api-token)");
    }
    this.target = target;
    this.qos = qos;
    this.window = window;
    this.payloadBytes = payloadBytes;
    this.reported = reported;
    this.timeline = timeline;
  }

  public static void main(String[] argv) throws Exception {
    System.out.println(run(argv));
  }

  /**
   * One run with {@code main}'s arguments (as {@code bench/run} passes them); returns its line of
   * figures.
   */
  public static String run(String... argv) throws Exception {
    Args args = new Args(argv);
    MqttTarget target = MqttTarget.from(args);
    int connections = args.integer("connections", 1000);
    int seconds = args.integer("seconds", 20);
    int warmUp = args.integer("warmup", 5);
    int rate = args.integer("rate", 0);
    MqttLoad load =
        new MqttLoad(
            target,
            MqttQoS.valueOf(args.integer("qos", 1)),
            args.integer("window", 16),
            args.integer("payload-bytes", 50),
            args.flag("reported"),
            new AckTimeline(args));
    int threads = args.integer("threads", 1);
    Vertx vertx = Connections.vertx(threads);
    try {
      return load.run(
          vertx,
          threads,
          connections,
          seconds,
          warmUp,
          rate,
          args.flag("subscribe"),
          new ProcessCpu(args));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private String run(
      Vertx vertx,
      int threads,
      int connections,
      int seconds,
      int warmUp,
      int rate,
      boolean subscribe,
      ProcessCpu cpu)
      throws InterruptedException, IOException {
    MqttClient subscriber = subscribe ? subscribe(vertx) : null;
    List<MqttClient> clients =
        Connections.open(
            vertx,
            threads,
            target.port(),
            connections,
            100,
            1,
            device ->
                target
                    .device(device)
                    .setMaxInflightQueue(window)
                    // its own PINGREQs would be counted as a QoS 0 batch confirmation
                    .setAutoKeepAlive(false));
    long connected = Connections.connected(clients);
    List<Publisher> publishers = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      if (clients.get(i) != null) {
        publishers.add(new Publisher(vertx, clients.get(i), i));
      }
    }
    for (Publisher publisher : publishers) {
      publisher.start(rate, publishers.size());
    }
    Thread.sleep(warmUp * 1000L);
    confirmed.reset();
    received.reset();
    skipped.reset();
    ackLatency.reset();
    endToEndLatency.reset();
    timeline.reset();
    measuring = true;
    cpu.start();
    long measureStart = System.nanoTime();
    long measureStartEpochMillis = System.currentTimeMillis();
    Thread.sleep(seconds * 1000L);
    measuring = false;
    double elapsed = (System.nanoTime() - measureStart) / 1e9;
    running = false;
    long total = confirmed.sum();
    String cpuPerMessage = cpu.perUnit(total);
    String figures =
        String.format(
            Locale.ROOT,
            "connections=%d throughput=%.0f p50=%.2f p99=%.2f received=%d e2e_p50=%.2f e2e_p99=%.2f"
                + " skipped=%d%s",
            connected,
            total / elapsed,
            ackLatency.percentileMillis(50),
            ackLatency.percentileMillis(99),
            received.sum(),
            endToEndLatency.percentileMillis(50),
            endToEndLatency.percentileMillis(99),
            skipped.sum(),
            cpuPerMessage);
    timeline.write(measureStart, measureStartEpochMillis);
    List<MqttClient> all = new ArrayList<>(clients);
    all.add(subscriber);
    Connections.disconnectAll(all);
    return figures;
  }

  private MqttClient subscribe(Vertx vertx) {
    MqttClient subscriber = MqttClient.create(vertx, target.application("bench-subscriber"));
    subscriber.publishHandler(this::onDelivered);
    subscriber
        .connect(target.port(), "127.0.0.1")
        .compose(connack -> subscriber.subscribe(MqttTarget.APPLICATION_FILTER, 0))
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    return subscriber;
  }

  private void onDelivered(MqttPublishMessage message) {
    if (!measuring) {
      return;
    }
    SendTime.recordSince(message.payload().toString(StandardCharsets.US_ASCII), endToEndLatency);
    received.increment();
  }

  private Buffer payload() {
    return Buffer.buffer(payloadText(reported, payloadBytes, SendTime.now()));
  }

  /**
   * The same size, {@code payloadBytes - 1}, for every message: a JSON event carrying its send
   * time, or a reported state patch carrying it.
   */
  static String payloadText(boolean reported, int payloadBytes, long sendTime) {
    StringBuilder json = new StringBuilder(payloadBytes);
    json.append(reported ? "{" : "{\"d\":{");
    json.append("\"t\":").append(sendTime).append(",\"p\":\"");
    String end = reported ? "\"}" : "\"}}";
    while (json.length() < payloadBytes - end.length() - 1) {
      json.append('x');
    }
    return json.append(end).toString();
  }

  /**
   * One device connection. Its client's callbacks run on one event loop and its pacing timer may
   * run on another, hence the (uncontended) locking.
   */
  private final class Publisher {
    private final Vertx vertx;
    private final MqttClient client;
    private final String topic;
    // Messages awaiting PUBACK, oldest first: their packet ids and send times.
    private final int[] packetIds = new int[window];
    private final long[] sentAt = new long[window];
    private int oldest;
    private int inFlight;
    private int lastPacketId;
    private int sinceLastPing;
    private int pingsPending;
    private int budget;

    Publisher(Vertx vertx, MqttClient client, int device) {
      this.vertx = vertx;
      this.client = client;
      this.topic = reported ? MqttTarget.REPORTED_TOPIC : target.eventTopic(device);
      client.publishCompletionHandler(this::onAcknowledged);
      client.pingResponseHandler(pong -> onPong());
    }

    /** Unpaced: keep the window full. Paced: a share of the total rate, spread over the second. */
    void start(int totalRate, int publishers) {
      if (totalRate <= 0) {
        unlimited();
        return;
      }
      double perConnection = totalRate / (double) publishers;
      long periodMillis = Math.max(1, Math.round(1000 / perConnection));
      int perTick = (int) Math.max(1, Math.round(perConnection * periodMillis / 1000));
      vertx.setTimer(
          1 + (long) (Math.random() * periodMillis),
          first -> vertx.setPeriodic(periodMillis, tick -> onTick(tick, perTick)));
    }

    private synchronized void unlimited() {
      budget = Integer.MAX_VALUE;
      fill();
    }

    private synchronized void onTick(long timer, int perTick) {
      if (!running) {
        vertx.cancelTimer(timer);
        return;
      }
      if (budget > 0 && measuring) {
        skipped.add(budget);
      }
      budget = perTick;
      fill();
    }

    private void fill() {
      while (running && budget > 0 && client.isConnected() && hasRoom()) {
        if (budget != Integer.MAX_VALUE) {
          budget--;
        }
        publish();
      }
    }

    private boolean hasRoom() {
      return qos == MqttQoS.AT_MOST_ONCE ? pingsPending < 2 : inFlight < window;
    }

    private void publish() {
      if (qos == MqttQoS.AT_LEAST_ONCE) {
        // the client numbers its packets 1…65535 in order
        lastPacketId = lastPacketId % 65535 + 1;
        int slot = (oldest + inFlight) % window;
        packetIds[slot] = lastPacketId;
        sentAt[slot] = System.nanoTime();
        inFlight++;
      }
      client.publish(topic, payload(), qos, false, false);
      if (qos == MqttQoS.AT_MOST_ONCE && ++sinceLastPing == window) {
        sinceLastPing = 0;
        pingsPending++;
        client.ping();
      }
    }

    private synchronized void onAcknowledged(int packetId) {
      int slot = oldest;
      for (int i = 0; i < inFlight && packetIds[slot] != packetId; i++) {
        slot = (slot + 1) % window;
      }
      long sent = sentAt[slot];
      long latency = System.nanoTime() - sent;
      // PUBACKs normally come in order; one that does not is swapped with the oldest entry
      packetIds[slot] = packetIds[oldest];
      sentAt[slot] = sentAt[oldest];
      oldest = (oldest + 1) % window;
      inFlight--;
      if (measuring) {
        confirmed.increment();
        ackLatency.record(latency);
        timeline.record(sent, latency);
      }
      fill();
    }

    private synchronized void onPong() {
      pingsPending--;
      if (measuring) {
        confirmed.add(window);
      }
      fill();
    }
  }
}
