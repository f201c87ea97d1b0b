package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Json;
import io.entwine.usage.Usage;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's usage management of the Watson IoT Platform API v0002 (IBM Watson IoT Platform API v0002
 * documentation, Usage management): {@code GET /api/v0002/usage/active-devices}, {@code
 * /usage/historical-data} and {@code /usage/data-traffic} with {@code start}, {@code end} (YYYY,
 * YYYY-MM or YYYY-MM-DD: the first day of a start, the last of an end) and {@code detail}, answered
 * from what the node counted per device and day ({@link Usage}).
 */
public final class UsageRoutes extends ApiDirectives {
  private static final Pattern DATE = Pattern.compile("\\d{4}(-\\d{2}(-\\d{2})?)?");

  private final Usage usage;
  private final Authentication authentication;

  public UsageRoutes(Usage usage, Authentication authentication) {
    this.usage = usage;
    this.authentication = authentication;
  }

  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002").slash("usage"),
        () ->
            get(
                () ->
                    authentication.apiKey(
                        principal ->
                            concat(
                                path(
                                    "active-devices",
                                    () ->
                                        report(
                                            range ->
                                                usage.activeDevices(
                                                    principal.org(), range.start(), range.end()))),
                                path(
                                    "historical-data",
                                    () ->
                                        report(
                                            range ->
                                                usage.eventBytes(
                                                    principal.org(), range.start(), range.end()))),
                                path(
                                    "data-traffic",
                                    () ->
                                        report(
                                            range ->
                                                usage.eventBytes(
                                                    principal.org(),
                                                    range.start(),
                                                    range.end())))))));
  }

  private record Range(LocalDate start, LocalDate end, boolean detail) {}

  private static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  private Route report(Function<Range, CompletionStage<Usage.Report>> query) {
    return parameterMap(
        params -> {
          Range range;
          try {
            range = range(params);
          } catch (BadRequest e) {
            return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
          }
          return onSuccess(
              query.apply(range),
              report -> complete(json(StatusCodes.OK, body(report, range.detail()))));
        });
  }

  private static Range range(Map<String, String> params) throws BadRequest {
    LocalDate start = date(params, "start", true);
    LocalDate end = date(params, "end", false);
    if (start.isAfter(end)) {
      throw new BadRequest("start must not be after end");
    }
    if (ChronoUnit.DAYS.between(start, end) + 1 > Usage.MAX_DAYS) {
      throw new BadRequest("start to end spans more than " + Usage.MAX_DAYS + " days");
    }
    String detail = params.getOrDefault("detail", "false");
    if (!detail.equals("true") && !detail.equals("false")) {
      throw new BadRequest("detail must be true or false");
    }
    return new Range(start, end, Boolean.parseBoolean(detail));
  }

  /** The first day {@code name} names when {@code first}, else its last day. */
  private static LocalDate date(Map<String, String> params, String name, boolean first)
      throws BadRequest {
    String value = params.get(name);
    if (value == null) {
      throw new BadRequest(name + " is required: YYYY, YYYY-MM or YYYY-MM-DD");
    }
    if (!DATE.matcher(value).matches()) {
      throw new BadRequest(name + " must be YYYY, YYYY-MM or YYYY-MM-DD, not '" + value + "'");
    }
    try {
      return switch (value.length()) {
        case 4 -> {
          int year = Integer.parseInt(value);
          yield first ? LocalDate.of(year, 1, 1) : LocalDate.of(year, 12, 31);
        }
        case 7 -> {
          YearMonth month = YearMonth.parse(value);
          yield first ? month.atDay(1) : month.atEndOfMonth();
        }
        default -> LocalDate.parse(value);
      };
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + " is not a date: '" + value + "'");
    }
  }

  private static ObjectNode body(Usage.Report report, boolean detail) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("start", report.start().toString());
    body.put("end", report.end().toString());
    body.put("average", report.average());
    body.put("total", report.total());
    if (detail) {
      ArrayNode days = body.putArray("days");
      report
          .days()
          .forEach(
              day -> days.addObject().put("date", day.date().toString()).put("total", day.total()));
    }
    return body;
  }
}
