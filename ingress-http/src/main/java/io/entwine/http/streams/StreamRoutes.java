package io.entwine.http.streams;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import io.entwine.http.common.ApiResponses;
import io.entwine.http.common.Authentication;
import io.entwine.ingress.TwinGateway;
import io.entwine.streams.ApplicationStreams;
import io.entwine.streams.Delivery;
import io.entwine.streams.StreamFilter;
import io.entwine.streams.StreamPosition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Application streams (docs/api.md, "Application streams"; docs/adr/0053): {@code POST
 * /api/v0002/streams/tokens} issues a stream token to an API key; {@code GET
 * /api/v0002/streams/events} is a Server-Sent Events stream and {@code GET /api/v0002/streams/ws} a
 * WebSocket, each authenticated by an API key (Basic) or {@code ?token=}.
 */
public final class StreamRoutes extends AllDirectives {
  private final Authentication authentication;
  private final ApplicationStreams streams;
  private final StreamTokens tokens;
  private final StreamSettings settings;
  private final TwinGateway gateway;

  private static final List<String> PARAMETERS =
      List.of("typeId", "deviceId", "eventId", "format", "kinds", "lastEventId", "token");

  public record TokenResponse(String token, long expiresIn, Instant expiresAt) {}

  /** A stream's organization and what it asked for; the route answers 400 for invalid ones. */
  record Request(String org, StreamFilter filter, StreamPosition from) {}

  public StreamRoutes(
      Authentication authentication,
      ApplicationStreams streams,
      StreamTokens tokens,
      StreamSettings settings,
      TwinGateway gateway) {
    this.authentication = authentication;
    this.streams = streams;
    this.tokens = tokens;
    this.settings = settings;
    this.gateway = gateway;
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.separateOnSlashes("api/v0002/streams"),
        () ->
            concat(
                path("tokens", () -> post(this::issueToken)),
                path("events", () -> get(() -> streamCaller(this::events))),
                path(
                    "ws",
                    () ->
                        get(
                            () ->
                                streamCaller(
                                    org ->
                                        extractMaterializer(
                                            materializer ->
                                                handleWebSocketMessages(
                                                    new WebSocketStreams(
                                                            org,
                                                            streams,
                                                            settings,
                                                            gateway,
                                                            materializer)
                                                        .flow())))))));
  }

  private Route issueToken() {
    return authentication.apiKey(
        principal -> {
          StreamTokens.Issued issued = tokens.issue(principal.org(), principal.key());
          return complete(
              json(
                  StatusCodes.CREATED,
                  new TokenResponse(issued.token(), tokens.ttl().toSeconds(), issued.expiresAt())));
        });
  }

  /** The caller's organization: from a stream token ({@code ?token=}) or an API key (Basic). */
  private Route streamCaller(Function<String, Route> inner) {
    return parameterOptional(
        "token",
        token ->
            token.isEmpty()
                ? authentication.apiKey(principal -> inner.apply(principal.org()))
                : byToken(token.get(), inner));
  }

  private Route byToken(String token, Function<String, Route> inner) {
    Optional<StreamTokens.Holder> holder = tokens.verify(token);
    if (holder.isEmpty()) {
      return complete(
          ApiResponses.unauthorized("Basic", "The stream token is invalid or has expired"));
    }
    String org = holder.get().org();
    return authentication.hostOrganization(
        host ->
            host.isPresent() && !host.get().equals(org)
                ? complete(
                    error(
                        StatusCodes.FORBIDDEN,
                        "The stream token does not belong to organization " + host.get()))
                : inner.apply(org));
  }

  private Route events(String org) {
    return streamRequest(
        org,
        request -> {
          Source<Delivery, NotUsed> deliveries =
              streams.stream(
                  request.org(),
                  request.filter(),
                  request.from(),
                  settings.buffer(),
                  settings.heartbeat());
          return complete(
              HttpResponse.create()
                  .withStatus(StatusCodes.OK)
                  .addHeader(RawHeader.create("Cache-Control", "no-cache"))
                  .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
                  .withEntity(
                      HttpEntities.create(
                          MediaTypes.TEXT_EVENT_STREAM.toContentType(),
                          deliveries.map(SseFormat::encode))));
        });
  }

  /** The filter and the position to start from, of the query and {@code Last-Event-ID}. */
  private Route streamRequest(String org, Function<Request, Route> inner) {
    return parameterMap(
        query ->
            optionalHeaderValueByName(
                "Last-Event-ID",
                header -> {
                  Optional<String> lastId =
                      header
                          .filter(id -> !id.isBlank())
                          .or(() -> Optional.ofNullable(query.get("lastEventId")));
                  try {
                    return inner.apply(request(org, query, lastId));
                  } catch (StreamFilter.InvalidFilter e) {
                    return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
                  }
                }));
  }

  private Request request(String org, Map<String, String> query, Optional<String> lastId) {
    for (String name : query.keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw new StreamFilter.InvalidFilter(
            "Unknown parameter '" + name + "'; the stream takes " + String.join(", ", PARAMETERS));
      }
    }
    StreamFilter filter = StreamFilter.from(name -> Optional.ofNullable(query.get(name)));
    StreamPosition from =
        lastId.isEmpty()
            ? streams.now()
            : streams.resumeFrom(lastId.get().strip(), settings.maxResumeAge());
    return new Request(org, filter, from);
  }
}
