package io.entwine.http.historian;

import static io.entwine.http.common.ApiResponses.error;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.historian.BucketSummary;
import io.entwine.historian.Buckets;
import io.entwine.historian.HistorianCursors;
import io.entwine.historian.HistorianCursors.InvalidCursor;
import io.entwine.historian.HistorianPage;
import io.entwine.historian.HistorianQueries;
import io.entwine.historian.HistorianQuery;
import io.entwine.historian.HistorianScope;
import io.entwine.historian.HistoricalEvent;
import io.entwine.historian.Stats;
import io.entwine.historian.SummarizeType;
import io.entwine.historian.SummaryInterval;
import io.entwine.historian.SummaryQuery;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Json;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.Payloads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's Historical Event API v0001 (IBM IoT Foundation API documentation, Historian): {@code
 * /api/v0001/historian}, {@code /historian/{type}} and {@code /historian/{type}/{id}}, scoped to
 * the API key's organization, answered from the historian read model. Parses and validates the
 * query, pages with the {@code cursorId} header and {@code iotHistorianSessionId} cookie, and
 * renders the scope's record shape.
 *
 * <p>Over 400 lines as one responsibility: IBM's historian query language (time range, event type,
 * {@code top}, {@code summarize} fields and {@code interval}, cursors) and the record shapes it
 * answers in are one contract, read and written in one place.
 */
public final class HistorianRoutes extends ApiDirectives {
  static final String CURSOR_HEADER = "cursorId";
  static final String SESSION_COOKIE = "iotHistorianSessionId";
  static final String COOKIE_PATH = "/api/v0001/historian";
  static final int MAX_SUMMARIZE_FIELDS = 20;
  private static final int MAX_FIELD_LENGTH = 256;

  // read by PlatformHistorianRoutes too, which builds on these routes
  final Authentication authentication;
  final HistorianQueries historian;
  final HistorianCursors cursors;

  public HistorianRoutes(
      Authentication authentication, HistorianQueries historian, HistorianCursors cursors) {
    this.authentication = authentication;
    this.historian = historian;
    this.cursors = cursors;
  }

  public Route route() {
    return HistorianScopes.V0001.route(authentication, this::query);
  }

  private Route query(HistorianScope scope) {
    return parameterMap(
        params ->
            optionalHeaderValueByName(
                CURSOR_HEADER,
                cursor ->
                    optionalCookie(
                        SESSION_COOKIE,
                        cookie -> answer(scope, params, cursor, cookie.map(c -> c.value())))));
  }

  /** The request's query, or the message of a 400. */
  record Parsed(
      String evtType,
      Long start,
      Long end,
      Integer top,
      List<String> summarize,
      SummarizeType summarizeType,
      SummaryInterval interval) {

    /** The query of a first page: no cursor, the whole time range and top unless given. */
    HistorianQuery firstPage(HistorianScope scope) {
      return new HistorianQuery(
          scope,
          evtType,
          start == null ? Buckets.MIN_TIME : start,
          end == null ? Long.MAX_VALUE : end,
          top == null ? HistorianQuery.MAX_TOP : top,
          null);
    }
  }

  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  private Route answer(
      HistorianScope scope,
      Map<String, String> params,
      Optional<String> cursor,
      Optional<String> sessionCookie) {
    try {
      Parsed parsed = parse(params);
      return parsed.summarize() != null
          ? summarize(scope, parsed)
          : page(scope, parsed, cursor, sessionCookie);
    } catch (BadRequest | InvalidCursor e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
  }

  /** A page: the first of a new query, or the next one of a cursor's. */
  private Route page(
      HistorianScope scope, Parsed parsed, Optional<String> cursor, Optional<String> sessionCookie)
      throws BadRequest, InvalidCursor {
    String sessionId;
    HistorianQuery query;
    if (cursor.isPresent()) {
      if (sessionCookie.isEmpty()) {
        throw new BadRequest(
            "A cursorId needs the " + SESSION_COOKIE + " cookie of the response that gave it");
      }
      sessionId = cursors.sessionId(sessionCookie.get(), scope.org());
      query = continued(cursors.resume(cursor.get(), sessionId, scope), parsed, CURSOR_HEADER);
    } else {
      sessionId =
          sessionCookie.flatMap(token -> cursors.validSessionId(token, scope.org())).orElse(null);
      query = parsed.firstPage(scope);
    }
    String session = sessionId;
    return onSuccess(
        historian.events(query), page -> complete(pageResponse(scope, query, page, session)));
  }

  /**
   * The cursor's query; parameters repeated with a cursor must equal the cursor's, except {@code
   * top}, which may change from page to page.
   */
  static HistorianQuery continued(HistorianQuery fromCursor, Parsed parsed, String cursorName)
      throws BadRequest {
    boolean sameQuery =
        (parsed.evtType() == null || parsed.evtType().equals(fromCursor.evtType()))
            && (parsed.start() == null || Buckets.clamp(parsed.start()) == fromCursor.start())
            && (parsed.end() == null
                || Math.min(parsed.end(), Buckets.MAX_TIME + 1) == fromCursor.end());
    if (!sameQuery) {
      throw new BadRequest(
          "evt_type, start and end differ from the query the "
              + cursorName
              + " belongs to; start again without a "
              + cursorName);
    }
    int top = parsed.top() == null ? fromCursor.top() : parsed.top();
    return new HistorianQuery(
        fromCursor.scope(),
        fromCursor.evtType(),
        fromCursor.start(),
        fromCursor.end(),
        top,
        fromCursor.after());
  }

  Route summarize(HistorianScope scope, Parsed parsed) throws BadRequest {
    if (scope.isOrganization()) {
      throw new BadRequest(
          "summarize is available for a device type or a device, not the whole organization");
    }
    SummaryQuery query =
        new SummaryQuery(
            scope,
            parsed.evtType(),
            parsed.start() == null ? Buckets.MIN_TIME : parsed.start(),
            parsed.end() == null ? Long.MAX_VALUE : parsed.end(),
            parsed.summarize());
    SummarizeType type =
        parsed.summarizeType() == null ? SummarizeType.AVG : parsed.summarizeType();
    if (parsed.interval() != null) {
      return onSuccess(
          historian.summarizeBuckets(query, parsed.interval()),
          buckets -> complete(bucketsResponse(scope, parsed, type, buckets)));
    }
    return onSuccess(
        historian.summarize(query), stats -> complete(summaryResponse(scope, parsed, type, stats)));
  }

  // ---- parameters ----

  static Parsed parse(Map<String, String> params) throws BadRequest {
    String evtType = params.get("evt_type");
    if (evtType != null) {
      Optional<String> invalid = Ids.checkEventId(evtType);
      if (invalid.isPresent()) {
        throw new BadRequest("evt_type: " + invalid.get());
      }
    }
    Long start = millis(params, "start");
    Long end = millis(params, "end");
    if (start != null && end != null && start > end) {
      throw new BadRequest("start must not be after end");
    }
    Integer top = null;
    if (params.containsKey("top")) {
      top = parseTop(params.get("top"));
    }
    List<String> summarize = null;
    if (params.containsKey("summarize")) {
      summarize = parseFields(params.get("summarize"));
    }
    SummarizeType summarizeType = null;
    if (params.containsKey("summarize_type")) {
      if (summarize == null) {
        throw new BadRequest("summarize_type needs summarize={field1,field2,...}");
      }
      summarizeType =
          SummarizeType.parse(params.get("summarize_type"))
              .orElseThrow(
                  () ->
                      new BadRequest(
                          "summarize_type must be one of avg, count, min, max, sum, range, stdev,"
                              + " variance"));
    }
    SummaryInterval interval = null;
    if (params.containsKey("interval")) {
      interval = parseInterval(params.get("interval"), summarize, start, end);
    }
    return new Parsed(evtType, start, end, top, summarize, summarizeType, interval);
  }

  private static SummaryInterval parseInterval(
      String value, List<String> summarize, Long start, Long end) throws BadRequest {
    if (summarize == null) {
      throw new BadRequest("interval needs summarize={field1,field2,...}");
    }
    SummaryInterval interval =
        SummaryInterval.parse(value.strip())
            .orElseThrow(
                () -> new BadRequest("interval must be one of " + SummaryInterval.names()));
    if (start == null || end == null) {
      throw new BadRequest("interval needs both start and end");
    }
    if (interval.bucketCount(start, end) > SummaryInterval.MAX_BUCKETS) {
      throw new BadRequest(
          "start to end spans more than "
              + SummaryInterval.MAX_BUCKETS
              + " buckets of "
              + interval.apiName()
              + ", the most one request may ask for; use a longer interval or a shorter range");
    }
    return interval;
  }

  private static Long millis(Map<String, String> params, String name) throws BadRequest {
    String value = params.get(name);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new BadRequest(
          name
              + " must be a number of milliseconds since 1970-01-01T00:00:00Z, not '"
              + value
              + "'");
    }
  }

  private static int parseTop(String value) throws BadRequest {
    try {
      int top = Integer.parseInt(value.strip());
      if (top >= 1 && top <= HistorianQuery.MAX_TOP) {
        return top;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadRequest("top must be a whole number from 1 to " + HistorianQuery.MAX_TOP);
  }

  /** {@code {f1,f2}} (the braces may be left out); fields are dotted paths. */
  static List<String> parseFields(String value) throws BadRequest {
    String list = value.strip();
    if (list.startsWith("{") && list.endsWith("}")) {
      list = list.substring(1, list.length() - 1);
    } else if (list.startsWith("{") || list.endsWith("}")) {
      throw new BadRequest("summarize must look like {field1,field2,...}");
    }
    List<String> fields = new ArrayList<>();
    for (String field : list.split(",", -1)) {
      String name = field.strip();
      if (name.isEmpty() || name.length() > MAX_FIELD_LENGTH) {
        throw new BadRequest(
            "summarize must look like {field1,field2,...}, with no empty field names");
      }
      if (!fields.contains(name)) {
        fields.add(name);
      }
    }
    if (fields.size() > MAX_SUMMARIZE_FIELDS) {
      throw new BadRequest("summarize takes at most " + MAX_SUMMARIZE_FIELDS + " fields");
    }
    return fields;
  }

  // ---- responses ----

  private HttpResponse pageResponse(
      HistorianScope scope, HistorianQuery query, HistorianPage page, String sessionId) {
    String session =
        sessionId == null
            ? cursors.newSession(scope.org())
            : cursors.session(scope.org(), sessionId);
    HttpResponse response =
        HttpResponse.create()
            .withStatus(StatusCodes.OK)
            .withEntity(ContentTypes.APPLICATION_JSON, records(scope, page.events()))
            .addHeader(
                SetCookie.create(
                    HttpCookie.create(SESSION_COOKIE, session)
                        .withPath(COOKIE_PATH)
                        .withHttpOnly(true)
                        .withMaxAge(cursors.ttl().toSeconds())));
    if (page.next().isPresent()) {
      String id = sessionId(session, scope.org());
      response =
          response.addHeader(
              RawHeader.create(CURSOR_HEADER, cursors.cursor(id, query, page.next().get())));
    }
    return response;
  }

  private String sessionId(String session, String org) {
    try {
      return cursors.sessionId(session, org);
    } catch (InvalidCursor e) {
      throw new IllegalStateException("A session just issued is valid", e);
    }
  }

  /**
   * The events in the scope's shape of IBM's historian documentation (by organization, type,
   * device), streamed: a JSON payload goes into {@code evt} as the value it holds; one that holds
   * none (stored before payloads were checked as they are now) goes in as other formats do, so that
   * one device's event never breaks the answer.
   */
  static byte[] records(HistorianScope scope, List<HistoricalEvent> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + events.size() * 256);
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
      json.writeStartArray();
      for (HistoricalEvent event : events) {
        json.writeStartObject();
        if (!scope.isDevice()) {
          json.writeStringField("device_id", event.device().uuid());
        }
        if (scope.isOrganization()) {
          json.writeStringField("device_type", event.device().type());
        }
        json.writeStringField("evt_type", event.evtType());
        json.writeObjectFieldStart("timestamp");
        json.writeNumberField("$date", event.timestamp());
        json.writeEndObject();
        writeEvt(json, event);
        json.writeEndObject();
      }
      json.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException("Writing to memory does not fail", e);
    }
    return out.toByteArray();
  }

  /**
   * The event's {@code evt}: a JSON payload as the value it holds; one that holds none, or another
   * format, base64-encoded as in the v0002 last-event cache, followed by its {@code format}.
   */
  static void writeEvt(JsonGenerator json, HistoricalEvent event) throws IOException {
    json.writeFieldName("evt");
    if (!"json".equals(event.format()) || !Payloads.writeJson(event.payload(), json)) {
      json.writeString(Base64.getEncoder().encodeToString(event.payload()));
      json.writeStringField("format", event.format());
    }
  }

  private static HttpResponse summaryResponse(
      HistorianScope scope, Parsed parsed, SummarizeType type, Map<String, Stats> stats) {
    ObjectNode body = summaryHeader(scope, parsed, type);
    putAggregates(body.putObject("evt"), type, stats);
    return jsonResponse(body);
  }

  /** A summary per bucket: the summary's members, the interval and one object per bucket. */
  private static HttpResponse bucketsResponse(
      HistorianScope scope, Parsed parsed, SummarizeType type, List<BucketSummary> buckets) {
    ObjectNode body = summaryHeader(scope, parsed, type);
    body.put("interval", parsed.interval().apiName());
    ArrayNode array = body.putArray("buckets");
    for (BucketSummary bucket : buckets) {
      ObjectNode node = array.addObject();
      node.putObject("start").put("$date", bucket.start());
      node.putObject("end").put("$date", bucket.end());
      putAggregates(node.putObject("evt"), type, bucket.stats());
    }
    return jsonResponse(body);
  }

  private static ObjectNode summaryHeader(HistorianScope scope, Parsed parsed, SummarizeType type) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    if (scope.isDevice()) {
      body.put("device_id", new DeviceKey(scope.org(), scope.type(), scope.id()).uuid());
    }
    body.put("device_type", scope.type());
    if (parsed.evtType() != null) {
      body.put("evt_type", parsed.evtType());
    }
    if (parsed.start() != null) {
      body.putObject("start").put("$date", parsed.start());
    }
    if (parsed.end() != null) {
      body.putObject("end").put("$date", parsed.end());
    }
    body.put("summarize_type", type.apiName());
    return body;
  }

  private static void putAggregates(ObjectNode evt, SummarizeType type, Map<String, Stats> stats) {
    stats.forEach(
        (field, fieldStats) -> {
          Number value = type.apply(fieldStats);
          if (value instanceof Long count) {
            evt.put(field, count);
          } else if (value instanceof Double number && Double.isFinite(number)) {
            evt.put(field, number);
          } else {
            evt.putNull(field);
          }
        });
  }

  private static HttpResponse jsonResponse(JsonNode body) {
    try {
      return HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(ContentTypes.APPLICATION_JSON, Json.MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A JSON tree always serializes", e);
    }
  }
}
