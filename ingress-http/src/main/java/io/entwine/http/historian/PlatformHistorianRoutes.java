package io.entwine.http.historian;

import static io.entwine.http.common.ApiResponses.error;

import com.fasterxml.jackson.core.JsonGenerator;
import io.entwine.historian.HistorianCursors;
import io.entwine.historian.HistorianCursors.InvalidCursor;
import io.entwine.historian.HistorianPage;
import io.entwine.historian.HistorianQueries;
import io.entwine.historian.HistorianQuery;
import io.entwine.historian.HistorianScope;
import io.entwine.historian.HistoricalEvent;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Json;
import io.entwine.http.historian.HistorianRoutes.BadRequest;
import io.entwine.http.historian.HistorianRoutes.Parsed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's historical event retrieval of the Watson IoT Platform API v0002 ({@code
 * /api/v0002/historian}, {@code /historian/types/{T}}, {@code /historian/types/{T}/devices/{ID}}):
 * the same query language and read model as the v0001 historian ({@link HistorianRoutes}), with
 * v0002's answer: an object holding {@code events} (each with {@code device_type}, {@code
 * device_id}, {@code evt_type}, an ISO 8601 {@code timestamp} and {@code evt}) and, while more
 * events follow, the {@code bookmark} the next request passes as {@code _bookmark}.
 */
public final class PlatformHistorianRoutes extends ApiDirectives {
  static final String BOOKMARK_PARAMETER = "_bookmark";

  /** v0001's routes: their summaries, and the queries, cursors and authentication both use. */
  private final HistorianRoutes v0001;

  public PlatformHistorianRoutes(
      Authentication authentication, HistorianQueries historian, HistorianCursors cursors) {
    this.v0001 = new HistorianRoutes(authentication, historian, cursors);
  }

  public Route route() {
    return HistorianScopes.V0002.route(v0001.authentication, this::query);
  }

  private Route query(HistorianScope scope) {
    return parameterMap(params -> answer(scope, params));
  }

  private Route answer(HistorianScope scope, Map<String, String> params) {
    try {
      Parsed parsed = HistorianRoutes.parse(params);
      if (parsed.summarize() != null) {
        return v0001.summarize(scope, parsed);
      }
      HistorianQuery query =
          query(scope, parsed, Optional.ofNullable(params.get(BOOKMARK_PARAMETER)));
      return onSuccess(v0001.historian.events(query), page -> complete(response(query, page)));
    } catch (BadRequest | InvalidCursor e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
  }

  /**
   * The bookmark's query, or a new one. IBM asks for the same parameters on every page; those
   * repeated with a bookmark must equal its query's, except {@code top}.
   */
  private HistorianQuery query(HistorianScope scope, Parsed parsed, Optional<String> bookmark)
      throws BadRequest, InvalidCursor {
    if (bookmark.isEmpty()) {
      return parsed.firstPage(scope);
    }
    return HistorianRoutes.continued(
        v0001.cursors.resumeBookmark(bookmark.get(), scope), parsed, BOOKMARK_PARAMETER);
  }

  private HttpResponse response(HistorianQuery query, HistorianPage page) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + page.events().size() * 256);
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("events");
      for (HistoricalEvent event : page.events()) {
        json.writeStartObject();
        json.writeStringField("device_type", event.device().type());
        json.writeStringField("device_id", event.device().id());
        json.writeStringField("evt_type", event.evtType());
        json.writeStringField("timestamp", Instant.ofEpochMilli(event.timestamp()).toString());
        HistorianRoutes.writeEvt(json, event);
        json.writeEndObject();
      }
      json.writeEndArray();
      if (page.next().isPresent()) {
        json.writeStringField("bookmark", v0001.cursors.bookmark(query, page.next().get()));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("Writing to memory does not fail", e);
    }
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(ContentTypes.APPLICATION_JSON, out.toByteArray());
  }
}
