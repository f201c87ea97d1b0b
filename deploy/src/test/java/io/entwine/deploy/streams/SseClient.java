package io.entwine.deploy.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.TestNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Server-Sent Events client on the JDK's HttpClient, reading the stream on a thread of its own as
 * a browser's EventSource would: events (id, event, data) and heartbeat comments.
 */
final class SseClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One event of the stream; {@code data} parsed. */
  record Event(String id, String event, JsonNode data) {}

  private final InputStream body;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final AtomicInteger heartbeats = new AtomicInteger();
  final HttpResponse<InputStream> response;
  private final Thread reader;

  private SseClient(HttpResponse<InputStream> response, boolean read) {
    this.response = response;
    this.body = response.body();
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    if (read) {
      reader.start();
    }
  }

  /** Connects; {@code configure} adds authentication and headers. */
  static SseClient open(TestNode node, String pathAndQuery, Headers headers) {
    return open(node, pathAndQuery, headers, true);
  }

  /** Connects without reading until {@link #startReading()}: a client that fell behind. */
  static SseClient openPaused(TestNode node, String pathAndQuery, Headers headers) {
    return open(node, pathAndQuery, headers, false);
  }

  private static SseClient open(TestNode node, String pathAndQuery, Headers headers, boolean read) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + pathAndQuery))
            .header("Accept", "text/event-stream");
    headers.apply(request);
    try {
      HttpResponse<InputStream> response =
          CLIENT.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      return new SseClient(response, read && response.statusCode() == 200);
    } catch (IOException e) {
      throw new AssertionError("SSE connect failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Adds headers to the request. */
  interface Headers {
    void apply(HttpRequest.Builder request);

    static Headers basic(String org, String user, String password) {
      return request ->
          request
              .header("Host", org + ".localhost")
              .header(
                  "Authorization",
                  "Basic "
                      + Base64.getEncoder()
                          .encodeToString(
                              (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    default Headers with(String name, String value) {
      return request -> {
        apply(request);
        request.header(name, value);
      };
    }
  }

  void startReading() {
    reader.start();
  }

  int status() {
    return response.statusCode();
  }

  /** The next event within {@code timeout}; fails the test otherwise. */
  Event next(Duration timeout) {
    try {
      Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        throw new AssertionError("No SSE event within " + timeout);
      }
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next {@code count} events, each within {@code timeout}. */
  List<Event> next(int count, Duration timeout) {
    List<Event> received = new ArrayList<>();
    while (received.size() < count) {
      received.add(next(timeout));
    }
    return received;
  }

  /** Whether the server ended the stream: the reader saw its end. */
  boolean ended(Duration timeout) throws InterruptedException {
    reader.join(timeout.toMillis());
    return !reader.isAlive();
  }

  private void read() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(id, event, JSON.readTree(data.toString())));
          }
          event = null;
          data.setLength(0);
        } else if (line.startsWith(":")) {
          heartbeats.incrementAndGet();
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (IOException e) {
      // closed by the test or the server
    }
  }

  /** The body as text, for a refused request. */
  String errorBody() throws IOException {
    return new String(body.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      // already closed
    }
  }

  static void assertStatus(int expected, SseClient client) throws IOException {
    try (client) {
      assertEquals(expected, client.status(), client.status() == 200 ? "" : client.errorBody());
    }
  }
}
