package io.entwine.deploy.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A webhook receiver as a user would run one: the JDK's HTTP server on a free port of 127.0.0.1. It
 * answers each request with the status {@code policy} gives for the request's number (1, 2, …) and
 * keeps every request it answered 2xx. {@link #stop()} and {@link #start()} take it down and bring
 * it back on the same port.
 */
final class Receiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request answered 2xx: its headers (lower-case names) and body. */
  record Delivery(Map<String, String> headers, byte[] body) {
    JsonNode messages() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("The body is not JSON", e);
      }
    }
  }

  private final AtomicInteger requests = new AtomicInteger();
  private final List<Delivery> delivered = new ArrayList<>();
  private volatile IntUnaryOperator policy = n -> 200;
  private final int port;
  private HttpServer server;

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    port = server.getAddress().getPort();
    serve();
  }

  String url() {
    return "http://127.0.0.1:" + port + "/hook";
  }

  /** The status of request number n (from 1). */
  void answer(IntUnaryOperator statusOfRequest) {
    policy = statusOfRequest;
  }

  int requests() {
    return requests.get();
  }

  synchronized List<Delivery> delivered() {
    return List.copyOf(delivered);
  }

  /** Every message delivered, by its id, the first delivery of each. */
  Map<String, JsonNode> messagesById() {
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    for (Delivery delivery : delivered()) {
      delivery.messages().forEach(message -> byId.putIfAbsent(message.get("id").asText(), message));
    }
    return byId;
  }

  void stop() {
    server.stop(0);
  }

  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
    serve();
  }

  private void serve() {
    server.createContext("/hook", this::handle);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    int status = policy.applyAsInt(requests.incrementAndGet());
    if (status >= 200 && status < 300) {
      Map<String, String> headers = new LinkedHashMap<>();
      exchange
          .getRequestHeaders()
          .forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
      synchronized (this) {
        delivered.add(new Delivery(headers, body));
      }
    }
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  @Override
  public void close() {
    stop();
  }
}
