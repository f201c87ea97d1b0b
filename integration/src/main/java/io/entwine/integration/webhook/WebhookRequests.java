package io.entwine.integration.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.integration.InvalidRequest;
import io.entwine.streams.StreamFilter;
import io.entwine.streams.StreamKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a webhook as the API creates or replaces it, {@code {"url", "filter"?: {"typeId",
 * "deviceId", "eventId", "format", "kinds"}, "secret"?, "headers"?: {name: value}}}, and says
 * precisely what is wrong. Nothing is encrypted or stored here.
 */
public final class WebhookRequests {
  private static final Set<String> FIELDS = Set.of("url", "filter", "secret", "headers");
  private static final Set<String> FILTER_FIELDS =
      Set.of("typeId", "deviceId", "eventId", "format", "kinds");

  /**
   * What a webhook takes without a filter: the kinds the twins' tagged journal holds. Status
   * (connect, disconnect) and command lifecycle messages are live-only or untagged, so not yet
   * deliverable.
   */
  static final StreamFilter DELIVERABLE =
      new StreamFilter(null, null, null, null, EnumSet.of(StreamKind.EVENT, StreamKind.STATE));

  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");

  /** Headers the sender sets itself or the HTTP client forbids. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of("content-type", "content-length", "host", "connection", "expect", "upgrade");

  static final int MAX_URL_CHARS = 2048;
  static final int MAX_SECRET_CHARS = 256;
  static final int MAX_HEADERS = 20;
  static final int MAX_HEADER_VALUE_CHARS = 4096;

  private WebhookRequests() {}

  /**
   * A request that passed every check; {@code secret} and the {@code headers} values still in the
   * clear. On a replacement, a null {@code secret} or {@code headers} keeps the stored ones.
   */
  public record Valid(
      String url, StreamFilter filter, String secret, Map<String, String> headers) {}

  /** Thrown with a message for the API caller (HTTP 400). */
  public static final class InvalidWebhook extends InvalidRequest {
    public InvalidWebhook(String message) {
      super(message);
    }
  }

  public static Valid check(ObjectNode body) throws InvalidWebhook {
    for (var names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidWebhook("Unknown field '" + name + "'; a webhook has " + FIELDS);
      }
    }
    return new Valid(
        url(body.get("url")),
        filter(body.get("filter")),
        secret(body),
        headers(body.get("headers")));
  }

  static String url(JsonNode value) throws InvalidWebhook {
    if (value == null || !value.isTextual() || value.textValue().isBlank()) {
      throw new InvalidWebhook("'url' is required: an http:// or https:// URL");
    }
    String url = value.textValue().strip();
    if (url.length() > MAX_URL_CHARS) {
      throw new InvalidWebhook("'url' is longer than " + MAX_URL_CHARS + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new InvalidWebhook("'url' is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidWebhook("'url' must be an http:// or https:// URL; got '" + url + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new InvalidWebhook("'url' names no host: '" + url + "'");
    }
    if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new InvalidWebhook(
          "'url' must not hold credentials or a fragment (send credentials in 'headers')");
    }
    return url;
  }

  static StreamFilter filter(JsonNode filter) throws InvalidWebhook {
    if (filter == null || filter.isNull()) {
      return DELIVERABLE;
    }
    if (!filter.isObject()) {
      throw new InvalidWebhook("'filter' must be an object with " + FILTER_FIELDS);
    }
    for (var names = filter.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FILTER_FIELDS.contains(name)) {
        throw new InvalidWebhook(
            "Unknown filter field '" + name + "'; a filter has " + FILTER_FIELDS);
      }
    }
    StreamFilter checked;
    try {
      checked = StreamFilter.fromJson(filter);
    } catch (StreamFilter.InvalidFilter e) {
      throw new InvalidWebhook("Invalid 'filter': " + e.getMessage());
    }
    if (filter.path("kinds").isMissingNode() || filter.path("kinds").isNull()) {
      return checked.withKinds(DELIVERABLE.kinds());
    }
    for (StreamKind kind : checked.kinds()) {
      if (!DELIVERABLE.wants(kind)) {
        throw new InvalidWebhook(
            "Webhooks cannot deliver '"
                + kind.wireName()
                + "' messages yet (only event, state); use the event stream for them");
      }
    }
    return checked;
  }

  private static String secret(ObjectNode body) throws InvalidWebhook {
    JsonNode secret = body.get("secret");
    if (secret == null || secret.isNull()) {
      return null;
    }
    if (!secret.isTextual() || secret.textValue().isEmpty()) {
      throw new InvalidWebhook("'secret' must be a non-empty string");
    }
    if (secret.textValue().length() > MAX_SECRET_CHARS) {
      throw new InvalidWebhook("'secret' is longer than " + MAX_SECRET_CHARS + " characters");
    }
    return secret.textValue();
  }

  private static Map<String, String> headers(JsonNode headers) throws InvalidWebhook {
    if (headers == null || headers.isNull()) {
      return null;
    }
    if (!headers.isObject()) {
      throw new InvalidWebhook("'headers' must be an object of header names and string values");
    }
    if (headers.size() > MAX_HEADERS) {
      throw new InvalidWebhook("'headers' has more than " + MAX_HEADERS + " headers");
    }
    Map<String, String> checked = new LinkedHashMap<>();
    for (var fields = headers.fields(); fields.hasNext(); ) {
      var header = fields.next();
      String name = header.getKey();
      String lower = name.toLowerCase(Locale.ROOT);
      if (!HEADER_NAME.matcher(name).matches()) {
        throw new InvalidWebhook("'headers' has an invalid header name '" + name + "'");
      }
      if (RESERVED_HEADERS.contains(lower) || lower.startsWith("x-entwine-")) {
        throw new InvalidWebhook("'headers' must not set '" + name + "'; Entwine sets it");
      }
      JsonNode value = header.getValue();
      if (!value.isTextual()
          || value.textValue().length() > MAX_HEADER_VALUE_CHARS
          || value.textValue().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw new InvalidWebhook(
            "'headers."
                + name
                + "' must be a string of at most "
                + MAX_HEADER_VALUE_CHARS
                + " characters on one line");
      }
      checked.put(name, value.textValue());
    }
    return checked;
  }
}
