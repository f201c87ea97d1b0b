package io.entwine.http.common;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.integration.InvalidRequest;
import io.entwine.integration.RememberedStreamEntities;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The routes of an organization's remembered stream entities of one kind (MQTT bridges, webhooks),
 * API key: {@code POST base} creates one (201 with its location), {@code GET base} lists them,
 * {@code GET base/{id}} shows one, {@code DELETE base/{id}} stops and forgets it (204), {@code GET
 * base/{id}/status} tells how its stream goes. Ids are UUIDs; any other id is unknown (404) without
 * asking. The subclass maps its kind's requests and replies to JSON and may add routes on one.
 *
 * @param <V> a create request that passed its checks
 * @param <R> the entities' reply type
 * @param <F> the reply that shows one entity
 */
public abstract class RememberedStreamRoutes<V, R, F extends R> extends ApiDirectives {
  private static final Pattern ENTITY_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final HttpResponse NO_CONTENT =
      HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);

  /** Checks a request body; throws with a message for the caller. */
  @FunctionalInterface
  protected interface RequestCheck<V> {
    V check(ObjectNode body) throws InvalidRequest;
  }

  private final String base;
  private final String noun;
  private final RememberedStreamEntities<V, ?, R, F> entities;
  private final Authentication authentication;
  private final RequestCheck<V> check;

  /**
   * @param base the collection's path, {@code /api/v0002/webhooks}
   * @param noun what one is called in a 404, in lower case: {@code webhook}
   */
  protected RememberedStreamRoutes(
      String base,
      String noun,
      RememberedStreamEntities<V, ?, R, F> entities,
      Authentication authentication,
      RequestCheck<V> check) {
    this.base = base;
    this.noun = noun;
    this.entities = entities;
    this.authentication = authentication;
    this.check = check;
  }

  /** The JSON that shows one entity. */
  protected abstract Object toJson(F found);

  /** A status reply's JSON: the entity's id beside the status's own fields. */
  public record StatusJson(String id, @JsonUnwrapped Object status) {}

  private static StatusJson statusJson(Object status) {
    RememberedStreamEntities.StatusReply reply = (RememberedStreamEntities.StatusReply) status;
    return new StatusJson(reply.id(), reply.status());
  }

  /** More routes on one entity beside GET and DELETE; none by default. */
  protected Route moreOnOne(String org, String id) {
    return reject();
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.separateOnSlashes(base.substring(1)),
        () ->
            authentication.apiKey(
                principal ->
                    concat(
                        pathEndOrSingleSlash(
                            () ->
                                concat(
                                    post(() -> create(principal.org())),
                                    get(() -> list(principal.org())))),
                        pathPrefix(segment(), id -> one(principal.org(), id)))));
  }

  private Route one(String org, String id) {
    if (!ENTITY_ID.matcher(id).matches()) {
      return complete(error(StatusCodes.NOT_FOUND, "No " + noun + " '" + id + "'"));
    }
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(() -> completeEntityReply(entities.get(org, id), ok())),
                    moreOnOne(org, id),
                    delete(
                        () -> completeEntityReply(entities.delete(org, id), done -> NO_CONTENT)))),
        path(
            "status",
            () ->
                get(
                    () ->
                        completeEntityReply(
                            entities.status(org, id),
                            status -> json(StatusCodes.OK, statusJson(status))))));
  }

  private Route create(String org) {
    return checked(
        request ->
            completeEntityReply(
                entities.create(org, request),
                created -> {
                  F found = entities.found(created);
                  return json(StatusCodes.CREATED, toJson(found))
                      .addHeader(Location.create(base + "/" + entities.idOf(found)));
                }));
  }

  private Route list(String org) {
    return completeOk(
        entities.list(org), found -> new Results(found.stream().map(this::toJson).toList()));
  }

  /** The body of a list. */
  public record Results(List<Object> results) {}

  /** {@code inner} with the checked request body, or 400 with the check's message. */
  protected final Route checked(Function<V, Route> inner) {
    return jsonObject(
        false,
        body -> {
          V request;
          try {
            request = check.check(body);
          } catch (InvalidRequest e) {
            return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
          }
          return inner.apply(request);
        });
  }

  /** 200 with the JSON of the {@code F} a command answered. */
  protected final Function<R, HttpResponse> ok() {
    return found -> json(StatusCodes.OK, toJson(entities.found(found)));
  }
}
