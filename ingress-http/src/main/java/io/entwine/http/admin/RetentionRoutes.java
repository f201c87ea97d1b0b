package io.entwine.http.admin;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.historian.RowTtls;
import io.entwine.http.common.ApiDirectives;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * An organization's history retention, under {@code /api/v0002/admin/organizations/{org}/retention}
 * (the caller checked the operator token): how long the historian keeps raw events and hourly
 * roll-ups, as ISO-8601 durations, {@code null} for ever (ADR 0065).
 */
final class RetentionRoutes extends ApiDirectives {
  private static final String RAW_EVENTS = "rawEvents";
  private static final String ROLLUPS = "rollups";
  private static final long DAY_SECONDS = 86_400;

  private final TwinGateway gateway;
  private final Consumer<String> refreshSettings;
  private final Duration minimum;

  /**
   * {@code refreshSettings}: forgets an organization's cached settings after a change; {@code
   * minimum}: the shortest retention accepted.
   */
  RetentionRoutes(TwinGateway gateway, Consumer<String> refreshSettings, Duration minimum) {
    this.gateway = gateway;
    this.refreshSettings = refreshSettings;
    this.minimum = minimum;
  }

  /** The retention as the API shows it: durations such as {@code P30D}, null for ever. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record RetentionJson(String rawEvents, String rollups) {
    static RetentionJson of(Reply.HistoryRetention retention) {
      return new RetentionJson(
          format(retention.rawEventsSeconds()), format(retention.rollupsSeconds()));
    }
  }

  /** A field of the body that is not a retention the API accepts. */
  private static final class InvalidRetention extends Exception {
    InvalidRetention(String message) {
      super(message, null, false, false);
    }
  }

  Route route(String org) {
    return concat(
        put(() -> jsonObject(false, body -> set(org, body))),
        get(
            () ->
                completeReply(
                    gateway.organizations().settings(org),
                    settings -> json(StatusCodes.OK, view(settings)))));
  }

  private Route set(String org, ObjectNode body) {
    Reply.HistoryRetention retention;
    try {
      retention = parse(body);
    } catch (InvalidRetention e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return completeReply(
        gateway.organizations().setRetention(org, retention),
        settings -> {
          refreshSettings.accept(org);
          return json(StatusCodes.OK, view(settings));
        });
  }

  private static RetentionJson view(Reply settings) {
    return RetentionJson.of(((Reply.OrganizationSettings) settings).retention());
  }

  private Reply.HistoryRetention parse(ObjectNode body) throws InvalidRetention {
    for (Iterator<String> fields = body.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!Set.of(RAW_EVENTS, ROLLUPS).contains(field)) {
        throw new InvalidRetention(
            "Unknown field '" + field + "': a retention has 'rawEvents' and 'rollups'");
      }
    }
    long raw = seconds(body, RAW_EVENTS);
    long rollups = seconds(body, ROLLUPS);
    if (rollups != 0 && (raw == 0 || rollups < raw)) {
      throw new InvalidRetention(
          "'rollups' ("
              + format(rollups)
              + ") must not be shorter than 'rawEvents' ("
              + (raw == 0 ? "null: for ever" : format(raw))
              + "): summaries of whole hours come from roll-ups");
    }
    return new Reply.HistoryRetention(raw, rollups);
  }

  /** The field's duration in seconds; 0 when it is absent or null (for ever). */
  private long seconds(ObjectNode body, String field) throws InvalidRetention {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return 0;
    }
    String expected =
        "an ISO-8601 duration in days, hours, minutes or whole seconds (such as P30D or PT12H),"
            + " or null to keep for ever";
    if (!value.isTextual()) {
      throw new InvalidRetention("'" + field + "' must be " + expected);
    }
    Duration duration;
    try {
      duration = Duration.parse(value.textValue());
    } catch (DateTimeParseException e) {
      throw new InvalidRetention(
          "'" + field + "' is not a duration: '" + value.textValue() + "'; it must be " + expected);
    }
    if (duration.isNegative() || duration.isZero() || duration.getNano() != 0) {
      throw new InvalidRetention(
          "'" + field + "' must be a positive whole number of seconds: " + expected);
    }
    if (duration.compareTo(minimum) < 0) {
      throw new InvalidRetention(
          "'"
              + field
              + "' must be at least "
              + format(minimum.toSeconds())
              + " (this node's"
              + " entwine.historian.minimum-retention)");
    }
    if (duration.toSeconds() > RowTtls.MAX_RETENTION_SECONDS) {
      throw new InvalidRetention(
          "'"
              + field
              + "' must be at most "
              + format(RowTtls.MAX_RETENTION_SECONDS)
              + "; null keeps for ever");
    }
    return duration.toSeconds();
  }

  /** Whole days as {@code P30D}, anything else as {@link Duration#toString()}; 0 is null. */
  static String format(long seconds) {
    if (seconds == 0) {
      return null;
    }
    return seconds % DAY_SECONDS == 0
        ? "P" + seconds / DAY_SECONDS + "D"
        : Duration.ofSeconds(seconds).toString();
  }
}
