package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;

import io.entwine.ingress.Payloads;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's Content-Type to event-format table (IBM IoT Foundation HTTP documentation, Devices): the
 * format of a device event a device or an application posts and of a command an application sends.
 * XML arrives as {@code application/xml} or {@code text/xml}, as IBM Watson IoT Platform API v0002
 * documentation and its client libraries send it, or as the older table's {@code application/html}.
 */
final class EventFormats {
  static final Map<String, String> FORMAT_BY_MEDIA_TYPE =
      Map.of(
          "text/plain", "text",
          "application/json", Payloads.JSON,
          "application/xml", "xml",
          "text/xml", "xml",
          "application/html", "xml",
          "application/octet-stream", "bin");

  static final String SUPPORTED_TYPES =
      "text/plain (text), application/json (json), application/xml, text/xml or"
          + " application/html (xml), application/octet-stream (bin)";

  private EventFormats() {}

  /**
   * The format of the request body's Content-Type, or 415 naming the supported ones. pekko-http
   * gives a body without Content-Type application/octet-stream (RFC 9110 lets a recipient assume
   * it), so such a body is bin.
   */
  static Route ofRequest(Function<String, Route> inner) {
    return Directives.extractRequestEntity(
        requestEntity -> {
          MediaType media = requestEntity.getContentType().mediaType();
          String mediaType = media.mainType() + "/" + media.subType();
          String format = FORMAT_BY_MEDIA_TYPE.get(mediaType);
          if (format == null) {
            return Directives.complete(
                error(
                    StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported Content-Type '" + mediaType + "': use " + SUPPORTED_TYPES));
          }
          return inner.apply(format);
        });
  }
}
