package io.entwine.deploy.cluster;

import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NodeProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Devices that keep sending events to a cluster while nodes fail, as real ones would: over HTTP
 * (IBM events, a new node on every failure) and MQTT QoS 1 (Paho; reconnecting to the next node
 * when the connection breaks). Every acknowledgement (HTTP 200, PUBACK) is recorded with the
 * event's unique marker, so a test can check each one is in the journal. Probes ask every twin
 * through given nodes and record when it answered.
 */
final class FailoverLoad implements AutoCloseable {
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
  private static final long PAUSE_MILLIS = 100;

  /** One probe answer: when it was asked and answered (nanoTime), and whether it was good. */
  record Sample(long start, long end, boolean ok) {}

  private final ApiClient api;
  private final ApiKey apiKey;
  private final Duration clientTimeout;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final Map<Device, Set<String>> acknowledged = new ConcurrentHashMap<>();
  private final Map<Device, List<Long>> acknowledgedAt = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final Map<Device, List<Sample>> probes = new ConcurrentHashMap<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();

  /** Devices that give up on a node after 3 s and try the next, as after a crash. */
  FailoverLoad(ApiClient api, ApiKey apiKey) {
    this(api, apiKey, CLIENT_TIMEOUT);
  }

  /**
   * Devices that wait {@code clientTimeout} for an answer (HTTP response, MQTT CONNACK/PUBACK);
   * longer than the node's ask timeout, every request gets an answer from a node that lives.
   */
  FailoverLoad(ApiClient api, ApiKey apiKey, Duration clientTimeout) {
    this.api = api;
    this.apiKey = apiKey;
    this.clientTimeout = clientTimeout;
  }

  /** An HTTP device sending to the nodes in turn, moving on when a node does not answer. */
  void httpDevice(Device device, Supplier<List<NodeProcess>> nodes) {
    start(
        "http-" + device.id(),
        () -> {
          int turn = device.id().hashCode() & 0xff;
          for (int seq = 0; running.get(); seq++) {
            String marker = "mk-" + device.id() + "-" + seq;
            List<NodeProcess> targets = nodes.get();
            NodeProcess target = targets.get(turn % targets.size());
            ApiClient.Response response =
                api.sendEvent(
                    target.baseUrl(),
                    device,
                    "load",
                    "{\"d\":{\"marker\":\"" + marker + "\"}}",
                    clientTimeout);
            statuses.computeIfAbsent(response.status(), s -> new AtomicInteger()).incrementAndGet();
            if (response.status() == 200) {
              acknowledge(device, marker);
            } else {
              turn++;
            }
            pause();
          }
        });
  }

  /** An MQTT device publishing QoS 1, reconnecting to the next node when its connection breaks. */
  void mqttDevice(Device device, Supplier<List<NodeProcess>> nodes, int firstNode) {
    start(
        "mqtt-" + device.id(),
        () -> {
          int turn = firstNode;
          MqttClient client = null;
          for (int seq = 0; running.get(); seq++) {
            String marker = "mk-" + device.id() + "-" + seq;
            try {
              if (client == null) {
                List<NodeProcess> targets = nodes.get();
                client = connect(targets.get(turn % targets.size()), device, clientTimeout);
              }
              client.publish("iot-2/evt/load/fmt/json", message(marker));
              acknowledge(device, marker);
            } catch (MqttException e) {
              close(client);
              client = null;
              turn++;
            }
            pause();
          }
          close(client);
        });
  }

  /** Asks the twin of {@code device} again and again through {@code nodes}. */
  void probe(Device device, List<NodeProcess> nodes) {
    List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    probes.put(device, samples);
    start(
        "probe-" + device.id(),
        () -> {
          for (int turn = 0; running.get(); turn++) {
            long start = System.nanoTime();
            ApiClient.Response response =
                api.lastEvents(
                    nodes.get(turn % nodes.size()).baseUrl(), apiKey, device, PROBE_TIMEOUT);
            boolean ok = response.status() == 200;
            samples.add(new Sample(start, System.nanoTime(), ok));
            if (ok) {
              pause();
            }
          }
        });
  }

  private static MqttClient connect(NodeProcess node, Device device, Duration timeout)
      throws MqttException {
    String clientId = "d:" + device.org() + ":" + device.type() + ":" + device.id();
    MqttClient client = new MqttClient(node.mqttUri(), clientId, new MemoryPersistence());
    client.setTimeToWait(timeout.toMillis());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(true);
    options.setConnectionTimeout((int) Math.max(5, timeout.toSeconds()));
    options.setUserName("use-token-auth");
    options.setPassword(device.token().toCharArray());
    try {
      client.connect(options);
    } catch (MqttException e) {
      client.close(true);
      throw e;
    }
    return client;
  }

  private static MqttMessage message(String marker) {
    MqttMessage message =
        new MqttMessage(
            ("{\"d\":{\"marker\":\"" + marker + "\"}}").getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    return message;
  }

  private static void close(MqttClient client) {
    if (client == null) {
      return;
    }
    try {
      if (client.isConnected()) {
        client.disconnectForcibly(500, 500);
      }
      client.close(true);
    } catch (MqttException e) {
      // gone already
    }
  }

  private void acknowledge(Device device, String marker) {
    acknowledged.computeIfAbsent(device, d -> ConcurrentHashMap.newKeySet()).add(marker);
    acknowledgedAt
        .computeIfAbsent(device, d -> Collections.synchronizedList(new ArrayList<>()))
        .add(System.nanoTime());
  }

  private void start(String name, Runnable body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (RuntimeException | Error e) {
                problems.add(name + ": " + e);
              }
            },
            name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private void pause() {
    try {
      Thread.sleep(PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }

  Set<String> acknowledged(Device device) {
    return Set.copyOf(acknowledged.getOrDefault(device, Set.of()));
  }

  /** How many events of the device were acknowledged after {@code nanoTime}. */
  long acknowledgedSince(Device device, long nanoTime) {
    List<Long> times = acknowledgedAt.getOrDefault(device, List.of());
    synchronized (times) {
      return times.stream().filter(t -> t > nanoTime).count();
    }
  }

  Map<Integer, Integer> statuses() {
    Map<Integer, Integer> counts = new java.util.TreeMap<>();
    statuses.forEach((status, count) -> counts.put(status, count.get()));
    return counts;
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  /**
   * Seconds from {@code killedAt} until the twin answered for good: the first good answer after its
   * last failed one; 0 when no probe failed after the kill, infinite when it never recovered.
   */
  double recoveredAfter(Device device, long killedAt) {
    List<Sample> samples;
    List<Sample> all = probes.get(device);
    synchronized (all) {
      samples = all.stream().filter(s -> s.end() >= killedAt).toList();
    }
    long lastFailure = Long.MIN_VALUE;
    for (Sample sample : samples) {
      if (!sample.ok()) {
        lastFailure = sample.end();
      }
    }
    if (lastFailure == Long.MIN_VALUE) {
      return 0;
    }
    for (Sample sample : samples) {
      if (sample.ok() && sample.end() >= lastFailure) {
        return (sample.end() - killedAt) / 1e9;
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** Whether the last answer of every probe was good and came after its last failure. */
  boolean allAnswering(long sinceNanos) {
    for (List<Sample> all : probes.values()) {
      synchronized (all) {
        if (all.isEmpty() || !all.get(all.size() - 1).ok()) {
          return false;
        }
        boolean failedLately =
            all.stream().anyMatch(s -> !s.ok() && s.end() > System.nanoTime() - sinceNanos);
        if (failedLately) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(15).toMillis());
    }
  }
}
