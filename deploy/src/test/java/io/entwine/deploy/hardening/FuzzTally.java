package io.entwine.deploy.hardening;

import io.entwine.http.RawHttp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fuzz campaign sent and got back: inputs per protocol, HTTP answers by status class,
 * connections the node closed, and every failure (5xx, hang, unreadable answer) by category with
 * one example input, so a failure can be read and replayed.
 */
final class FuzzTally {
  private static final int REPORTED_FAILURES = 60;

  record Failure(String kind, String category, String example) {}

  private final LongAdder httpInputs = new LongAdder();
  private final LongAdder mqttInputs = new LongAdder();
  private final LongAdder[] statusClasses = new LongAdder[6];
  private final LongAdder httpClosed = new LongAdder();
  private final LongAdder httpDropped = new LongAdder();
  private final LongAdder documented5xx = new LongAdder();
  private final LongAdder mqttClosed = new LongAdder();
  private final LongAdder mqttDropped = new LongAdder();
  private final LongAdder httpConnections = new LongAdder();
  private final LongAdder mqttConnections = new LongAdder();
  private final LongAdder mqttConnackAccepted = new LongAdder();
  private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> laneNanos = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> laneSteps = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> failureCounts = new ConcurrentHashMap<>();
  private final Map<String, Failure> failureExamples = new ConcurrentHashMap<>();

  FuzzTally() {
    for (int i = 0; i < statusClasses.length; i++) {
      statusClasses[i] = new LongAdder();
    }
  }

  long inputs() {
    return httpInputs.sum() + mqttInputs.sum();
  }

  long httpInputs() {
    return httpInputs.sum();
  }

  long mqttInputs() {
    return mqttInputs.sum();
  }

  /** A connection the campaign opened, to count inputs per connection. */
  void connected(boolean http) {
    (http ? httpConnections : mqttConnections).increment();
  }

  void answered(String category, byte[] input, RawHttp.Response response) {
    httpInputs.increment();
    statusClasses[Math.min(5, Math.max(0, response.status() / 100))].increment();
    if (response.status() >= 500 && documented(category, response)) {
      documented5xx.increment();
    } else if (response.status() >= 500) {
      fail("HTTP " + response.status(), category, input, response.text());
    }
    if (response.close()) {
      closes
          .computeIfAbsent(category.substring(category.indexOf('/') + 1), k -> new LongAdder())
          .increment();
    }
  }

  /**
   * The one 5xx the API documents for a client's request: a Hono command response nobody waits for
   * (an unknown, expired or answered request id) is 503, as in Eclipse Hono's HTTP adapter user
   * guide ("there is no application listening for a reply to the given commandRequestId").
   */
  private static boolean documented(String category, RawHttp.Response response) {
    return category.startsWith("hono/")
        && response.status() == 503
        && response.text().contains("No application waits for a response to command");
  }

  /** The node closed the connection without answering this input (not a failure by itself). */
  void httpClosed() {
    httpInputs.increment();
    httpClosed.increment();
  }

  /** Pipelined inputs after one the node closed the connection on: never read, not counted. */
  void dropped(int count) {
    httpDropped.add(count);
  }

  /** MQTT inputs written after one the node closed the connection on: never read, not counted. */
  void mqttDropped(int count) {
    mqttDropped.add(count);
  }

  /** One MQTT input the node read: it answered what followed it, or closed the connection. */
  void mqtt(boolean closedByNode) {
    mqttInputs.increment();
    if (closedByNode) {
      mqttClosed.increment();
    }
  }

  /**
   * Wall time a client spent in one step of its exchanges ({@code step}, e.g. "MQTT CONNACK wait"),
   * summed over the clients: where a campaign's time goes on the client's side, so that a client
   * waiting on itself (a timeout it set, a serial step) shows apart from a node that is slow.
   */
  void spent(String step, long sinceNanos) {
    laneNanos.computeIfAbsent(step, k -> new LongAdder()).add(System.nanoTime() - sinceNanos);
    laneSteps.computeIfAbsent(step, k -> new LongAdder()).increment();
  }

  void mqttConnected() {
    mqttConnackAccepted.increment();
  }

  void fail(String kind, String category, byte[] input) {
    fail(kind, category, input, "");
  }

  void fail(String kind, String category, byte[] input, String answer) {
    String key = kind + " " + category;
    failureCounts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    failureExamples.computeIfAbsent(
        key,
        k ->
            new Failure(
                kind,
                category,
                printable(input) + (answer.isEmpty() ? "" : " -> answered: " + answer.strip())));
  }

  /** Each failure ("kind category") and how often it happened. */
  Map<String, Long> failures() {
    Map<String, Long> out = new TreeMap<>();
    failureCounts.forEach((key, count) -> out.put(key, count.get()));
    return out;
  }

  String report() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "inputs %,d (HTTP %,d, MQTT %,d)%n", inputs(), httpInputs.sum(), mqttInputs.sum()));
    out.append("HTTP answers:");
    for (int i = 1; i < statusClasses.length; i++) {
      out.append(String.format(" %dxx %,d", i, statusClasses[i].sum()));
    }
    out.append(
        String.format(
            "; closed without an answer %,d; pipelined and dropped after a close %,d%n",
            httpClosed.sum(), httpDropped.sum()));
    out.append(
        String.format(
            "MQTT inputs the node closed the connection on %,d, written after such a close and"
                + " dropped %,d, CONNACK 0 after a valid CONNECT %,d%n",
            mqttClosed.sum(), mqttDropped.sum(), mqttConnackAccepted.sum()));
    out.append(
        String.format(
            "connections opened: HTTP %,d, MQTT %,d%n",
            httpConnections.sum(), mqttConnections.sum()));
    out.append("clients' wall time by step (summed over clients):");
    new TreeMap<>(laneNanos)
        .forEach(
            (step, nanos) ->
                out.append(
                    String.format(
                        " %s %.1f s (%,d, %.2f ms each);",
                        step,
                        nanos.sum() / 1e9,
                        laneSteps.get(step).sum(),
                        nanos.sum() / 1e6 / Math.max(1, laneSteps.get(step).sum()))));
    out.append('\n');
    out.append("answers that closed the connection, by mutation (top 8):");
    closes.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
        .limit(8)
        .forEach(e -> out.append(' ').append(e.getKey()).append('=').append(e.getValue().sum()));
    out.append('\n');
    // the most frequent categories first; the rest only counted, to keep the report readable
    List<Map.Entry<String, AtomicLong>> failures =
        failureCounts.entrySet().stream()
            .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
            .toList();
    failures.stream()
        .limit(REPORTED_FAILURES)
        .forEach(
            e ->
                out.append(
                    String.format(
                        "FAILURE %s x%,d, e.g.: %s%n",
                        e.getKey(),
                        e.getValue().get(),
                        failureExamples.get(e.getKey()).example())));
    if (failures.size() > REPORTED_FAILURES) {
      out.append(
          String.format(
              "… and %,d more failing categories%n", failures.size() - REPORTED_FAILURES));
    }
    return out.toString();
  }

  /** The input as text: printable ASCII kept, CR/LF as \r \n, other bytes as \xNN, cut at 400. */
  static String printable(byte[] input) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < input.length && out.length() < 400; i++) {
      int b = input[i] & 0xFF;
      if (b == '\r') {
        out.append("\\r");
      } else if (b == '\n') {
        out.append("\\n");
      } else if (b >= 0x20 && b < 0x7F && b != '\\') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02X", b));
      }
    }
    if (input.length > 0 && out.length() >= 400) {
      out.append("… (").append(input.length).append(" bytes)");
    }
    return out.toString();
  }
}
