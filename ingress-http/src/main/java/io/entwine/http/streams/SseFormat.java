package io.entwine.http.streams;

import io.entwine.streams.Delivery;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * The wire form of a stream on Server-Sent Events (WHATWG HTML Living Standard, "Server-sent
 * events"): {@code id}, {@code event}, one {@code data} line of compact JSON, and a blank line; a
 * heartbeat is a comment line.
 */
final class SseFormat {
  static final ByteString HEARTBEAT = ByteString.fromString(": heartbeat\n\n");

  private SseFormat() {}

  static ByteString encode(Delivery delivery) {
    if (delivery instanceof Delivery.Message m) {
      return event(m.id(), m.message().kind().wireName(), m.message().json());
    }
    if (delivery instanceof Delivery.Overflow o) {
      return event(o.lastId(), "overflow", "{\"lastEventId\":\"" + o.lastId() + "\"}");
    }
    return HEARTBEAT;
  }

  private static ByteString event(String id, String event, String json) {
    String text = "id: " + id + "\nevent: " + event + "\ndata: " + json + "\n\n";
    return ByteString.fromArray(text.getBytes(StandardCharsets.UTF_8));
  }
}
