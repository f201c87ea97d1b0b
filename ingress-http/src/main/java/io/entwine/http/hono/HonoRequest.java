package io.entwine.http.hono;

import io.entwine.ingress.Payloads;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.MediaType;

/**
 * What a Hono HTTP adapter request says besides its path and credentials, read and checked at the
 * edge: the headers and query parameters of the Eclipse Hono 1.2 HTTP adapter user guide ({@code
 * qos-level}, {@code hono-ttd}, {@code hono-ttl}, {@code hono-cmd-status}), the content type as an
 * event format, and the body.
 */
record HonoRequest(String format, byte[] payload, int qos, Integer ttd, Integer commandStatus) {
  static final String EMPTY_NOTIFICATION = "application/vnd.eclipse-hono-empty-notification";

  /** Hono's content type to Entwine's event format (IBM's four; anything else is binary). */
  private static final Map<String, String> FORMATS =
      Map.of(
          "application/json", Payloads.JSON,
          "text/plain", "text",
          "application/html", "xml",
          "application/xml", "xml",
          "text/xml", "xml");

  /** An event format back to the content type a device gets a command with. */
  static String contentTypeOf(String format) {
    return switch (format) {
      case Payloads.JSON -> "application/json";
      case "text" -> "text/plain; charset=UTF-8";
      case "xml" -> "application/html";
      default -> "application/octet-stream";
    };
  }

  /** Either the request or why it is a bad request (400). */
  record Parsed(HonoRequest request, String error) {}

  /** Telemetry and events: content type and body required, except an empty notification. */
  static Parsed publish(
      boolean event, HttpRequest http, HttpEntity.Strict entity, Optional<String> ttdParam) {
    String mediaType = mediaType(entity);
    if (mediaType == null) {
      return bad("The content-type header is required");
    }
    byte[] payload = entity.getData().toArray();
    boolean emptyNotification = EMPTY_NOTIFICATION.equals(mediaType);
    if (payload.length == 0 && !(event && emptyNotification)) {
      return bad(
          "The request body is empty"
              + (event ? " (only an event of type " + EMPTY_NOTIFICATION + " may be)" : ""));
    }
    Optional<String> qosHeader = header(http, "qos-level");
    int qos = 0;
    if (qosHeader.isPresent()) {
      if (!qosHeader.get().strip().equals("0") && !qosHeader.get().strip().equals("1")) {
        return bad("qos-level must be 0 or 1, not '" + qosHeader.get() + "'");
      }
      qos = Integer.parseInt(qosHeader.get().strip());
    }
    Optional<String> ttdText = header(http, "hono-ttd").or(() -> ttdParam);
    Integer ttd = null;
    if (ttdText.isPresent()) {
      ttd = wholeNumber(ttdText.get());
      if (ttd == null) {
        return bad("hono-ttd must be a whole number of seconds, not '" + ttdText.get() + "'");
      }
    }
    Optional<String> ttl = header(http, "hono-ttl").or(() -> query(http, "hono-ttl"));
    if (ttl.isPresent() && wholeNumber(ttl.get()) == null) {
      return bad("hono-ttl must be a whole number of seconds, not '" + ttl.get() + "'");
    }
    String format = emptyNotification ? "bin" : FORMATS.getOrDefault(mediaType, "bin");
    Payloads.Inspection inspection = Payloads.inspect(format, payload);
    if (!inspection.isValid()) {
      return bad(inspection.error());
    }
    return new Parsed(new HonoRequest(format, inspection.payload(), qos, ttd, null), null);
  }

  /** A command response: the status is required, the body and its content type are optional. */
  static Parsed response(HttpRequest http, HttpEntity.Strict entity) {
    Optional<String> statusText =
        header(http, "hono-cmd-status").or(() -> query(http, "hono-cmd-status"));
    if (statusText.isEmpty()) {
      return bad("The command status (hono-cmd-status) is missing");
    }
    Integer status = wholeNumber(statusText.get());
    if (status == null || status < 100 || status > 599) {
      return bad("hono-cmd-status must be a status code (100-599), not '" + statusText.get() + "'");
    }
    byte[] payload = entity.getData().toArray();
    String mediaType = mediaType(entity);
    String format = mediaType == null ? "bin" : FORMATS.getOrDefault(mediaType, "bin");
    return new Parsed(new HonoRequest(format, payload, 1, null, status), null);
  }

  private static Parsed bad(String message) {
    return new Parsed(null, message);
  }

  /** Null when the request had no content type (pekko-http gives an empty body none). */
  private static String mediaType(HttpEntity.Strict entity) {
    if (entity.getContentType().equals(ContentTypes.NO_CONTENT_TYPE)) {
      return null;
    }
    MediaType media = entity.getContentType().mediaType();
    return (media.mainType() + "/" + media.subType()).toLowerCase(Locale.ROOT);
  }

  private static Optional<String> header(HttpRequest http, String name) {
    return http.getHeader(name).map(h -> h.value());
  }

  private static Optional<String> query(HttpRequest http, String name) {
    return http.getUri().query().get(name);
  }

  private static Integer wholeNumber(String text) {
    try {
      int value = Integer.parseInt(text.strip());
      return value >= 0 ? value : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
