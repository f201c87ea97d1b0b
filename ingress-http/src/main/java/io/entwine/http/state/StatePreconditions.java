package io.entwine.http.state;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.protocol.Reply;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The preconditions a state request may state: {@code If-Match} (the version a write applies at),
 * {@code If-None-Match} (RFC 9110 §13.1.2, {@link NoneMatchCondition}) and Ditto's {@code
 * condition} query ({@link StateCondition}); a malformed {@code If-None-Match} or {@code condition}
 * is a 400.
 *
 * @param expected the version {@code If-Match} names, null without one (or with {@code *})
 */
record StatePreconditions(
    Long expected, Optional<NoneMatchCondition> noneMatch, Optional<StateCondition> condition) {

  /** What {@code If-Match} names when it names no version of ours: matches none (412). */
  static final long NO_VERSION = -1;

  /**
   * A 412: the request named {@code expected}, or its condition failed; the state is at {@code
   * version}.
   */
  public record MismatchBody(String message, int rc, long version) {}

  /** Whether checking them needs the state read first (If-Match alone is checked by the twin). */
  boolean needRead() {
    return noneMatch.isPresent() || condition.isPresent();
  }

  /**
   * Why a write may not be made to {@code state}, whose {@code part} ("desired" or "reported") it
   * changes: a 412 without its ETag, or empty when it may.
   */
  Optional<HttpResponse> refuseWrite(Reply.StateView state, String part) {
    if (condition.isPresent() && !condition.get().holdsFor(state)) {
      return Optional.of(conditionFailed(state.version()));
    }
    if (noneMatch.isPresent()) {
      JsonNode written = part.equals("desired") ? state.desired() : state.reported();
      boolean exists = written != null && !written.isEmpty();
      if (noneMatch.get().matches(state.version(), exists)) {
        return Optional.of(
            mismatch(
                (noneMatch.get().any()
                        ? "If-None-Match: * and " + part + " state exists"
                        : "If-None-Match names the current version")
                    + "; the state is at version "
                    + state.version(),
                state.version()));
      }
    }
    return Optional.empty();
  }

  /**
   * A read's answer: a 412 when the condition is false, a 304 without a body when {@code
   * If-None-Match} names the state read, else {@code onState}; without the ETag.
   */
  Function<Reply, HttpResponse> read(Function<Reply, HttpResponse> onState) {
    return reply -> {
      Reply.StateView state = (Reply.StateView) reply;
      if (condition.isPresent() && !condition.get().holdsFor(state)) {
        return conditionFailed(state.version());
      }
      return noneMatch.isPresent() && noneMatch.get().matches(state.version(), true)
          ? HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED)
          : onState.apply(reply);
    };
  }

  /** The version a write after a read of {@code state} applies at. */
  long versionToWrite(Reply.StateView state) {
    return expected != null ? expected : state.version();
  }

  private static HttpResponse conditionFailed(long version) {
    return mismatch("The condition does not hold; the state is at version " + version, version);
  }

  static HttpResponse mismatch(String message, long version) {
    return json(
        StatusCodes.PRECONDITION_FAILED,
        new MismatchBody(message, StatusCodes.PRECONDITION_FAILED.intValue(), version));
  }

  static ETag etag(long version) {
    return ETag.create(EntityTag.create(Long.toString(version), false));
  }

  /**
   * The version {@code If-Match} names (RFC 9110 §13.1.1): null with {@code *}; a strong tag {@code
   * "N"} is version N; any other tag matches no version.
   */
  static Long versionOf(String ifMatch) {
    String tag = ifMatch.trim();
    if (tag.equals("*")) {
      return null;
    }
    if (tag.length() > 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
      String digits = tag.substring(1, tag.length() - 1);
      if (digits.chars().allMatch(Character::isDigit) && digits.length() < 19) {
        return Long.parseLong(digits);
      }
    }
    return NO_VERSION;
  }

  /** Reads the preconditions from the request; 400 when one is malformed. */
  static final class Directives extends AllDirectives {
    Route preconditions(Function<StatePreconditions, Route> inner) {
      return optionalHeaderValueByName(
          "If-Match",
          ifMatch ->
              optionalHeaderValueByName(
                  "If-None-Match",
                  ifNoneMatch ->
                      parameterOptional(
                          "condition",
                          condition -> {
                            Optional<NoneMatchCondition> noneMatch =
                                ifNoneMatch.flatMap(NoneMatchCondition::parse);
                            if (ifNoneMatch.isPresent() && noneMatch.isEmpty()) {
                              return complete(
                                  error(
                                      StatusCodes.BAD_REQUEST,
                                      "If-None-Match must be * or a list of entity tags like"
                                          + " \"3\""));
                            }
                            Optional<StateCondition> parsed;
                            try {
                              parsed =
                                  condition.isPresent()
                                      ? Optional.of(StateCondition.parse(condition.get()))
                                      : Optional.empty();
                            } catch (StateCondition.Malformed malformed) {
                              return complete(
                                  error(StatusCodes.BAD_REQUEST, malformed.getMessage()));
                            }
                            return inner.apply(
                                new StatePreconditions(
                                    ifMatch.map(StatePreconditions::versionOf).orElse(null),
                                    noneMatch,
                                    parsed));
                          })));
    }
  }
}
