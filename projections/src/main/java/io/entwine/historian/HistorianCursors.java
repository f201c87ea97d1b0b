package io.entwine.historian;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.entwine.credentials.DerivedKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The historian's paging tokens: the {@code iotHistorianSessionId} cookie and the {@code cursorId}
 * header. Both are stateless and opaque: base64url JSON and an HMAC-SHA256 over it, keyed by a key
 * derived from the cluster key ({@code entwine.credentials.secret-key}), so any node of the cluster
 * can continue a page and nobody can forge or alter a token. A cursor names its organization, its
 * session, its whole query and its position, and expires after {@code
 * entwine.historian.cursor-ttl}.
 */
public final class HistorianCursors {
  private static final Logger log = LoggerFactory.getLogger(HistorianCursors.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();
  private static final String SESSION = "session";
  private static final String CURSOR = "cursor";
  private static final SecureRandom RANDOM = new SecureRandom();
  // no random session id is 1 character long, so a bookmark never passes for a v0001 cursor
  private static final String BOOKMARK_SESSION = "-";

  /** A cursor or session the caller may not use; the message is safe to show. */
  public static final class InvalidCursor extends Exception {
    public InvalidCursor(String message) {
      super(message, null, false, false);
    }
  }

  private final SecretKeySpec key;
  private final Duration ttl;
  private final Clock clock;

  public HistorianCursors(byte[] key, Duration ttl, Clock clock) {
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * From {@code entwine.historian.cursor-ttl} and the cluster key; without a cluster key (tests) a
   * key of this process only, so cursors do not survive a restart or cross nodes.
   */
  public static HistorianCursors fromConfig(Config root) {
    byte[] key =
        DerivedKeys.fromClusterKey(root, "entwine historian cursors v1")
            .orElseGet(
                () -> {
                  log.warn(
                      "No entwine.credentials.secret-key (ENTWINE_SECRET_KEY): historian cursors"
                          + " are valid on this node until it stops");
                  return DerivedKeys.processOnly();
                });
    return new HistorianCursors(
        key, root.getDuration("entwine.historian.cursor-ttl"), Clock.systemUTC());
  }

  public Duration ttl() {
    return ttl;
  }

  // ---- sessions ----

  /** A new session of {@code org}. */
  public String newSession(String org) {
    byte[] id = new byte[12];
    RANDOM.nextBytes(id);
    return session(org, B64.encodeToString(id));
  }

  /** A session token for {@code sessionId}, valid for another ttl. */
  public String session(String org, String sessionId) {
    ObjectNode body = JSON.createObjectNode();
    body.put("o", org);
    body.put("s", sessionId);
    body.put("x", clock.millis() + ttl.toMillis());
    return sign(SESSION, body);
  }

  /** The session id of a valid, unexpired session token of {@code org}. */
  public String sessionId(String token, String org) throws InvalidCursor {
    JsonNode body = verify(SESSION, token, "iotHistorianSessionId");
    if (!org.equals(body.path("o").asText())) {
      throw new InvalidCursor("The iotHistorianSessionId cookie belongs to another organization");
    }
    return body.path("s").asText();
  }

  /** The session id of {@code token} if it is a valid session of {@code org}. */
  public Optional<String> validSessionId(String token, String org) {
    try {
      return Optional.of(sessionId(token, org));
    } catch (InvalidCursor e) {
      return Optional.empty();
    }
  }

  // ---- cursors ----

  /** The cursor of the page after the one that ended at {@code next}. */
  public String cursor(String sessionId, HistorianQuery query, Position next) {
    HistorianScope scope = query.scope();
    ObjectNode body = JSON.createObjectNode();
    body.put("o", scope.org());
    body.put("s", sessionId);
    body.put("k", scope.key());
    if (query.evtType() != null) {
      body.put("e", query.evtType());
    }
    body.put("a", query.start());
    body.put("b", query.end());
    body.put("n", query.top());
    body.put("t", next.timestamp());
    body.put("y", next.type());
    body.put("i", next.id());
    body.put("q", next.seqNr());
    body.put("x", clock.millis() + ttl.toMillis());
    return sign(CURSOR, body);
  }

  /**
   * The query a cursor continues, after checking that it is genuine, unexpired, of this session,
   * organization and scope.
   */
  public HistorianQuery resume(String cursor, String sessionId, HistorianScope scope)
      throws InvalidCursor {
    return resume(cursor, sessionId, scope, "cursorId", "iotHistorianSessionId");
  }

  /**
   * The {@code _bookmark} of IBM's v0002 historian: a cursor that needs no session, since the v0002
   * API pages with the bookmark alone (it is still signed, expiring and bound to its organization
   * and path).
   */
  public String bookmark(HistorianQuery query, Position next) {
    return cursor(BOOKMARK_SESSION, query, next);
  }

  /** The query a {@link #bookmark} continues; checked as {@link #resume} checks a cursor. */
  public HistorianQuery resumeBookmark(String bookmark, HistorianScope scope) throws InvalidCursor {
    return resume(bookmark, BOOKMARK_SESSION, scope, "_bookmark", "v0002 _bookmark");
  }

  private HistorianQuery resume(
      String cursor, String sessionId, HistorianScope scope, String name, String sessionName)
      throws InvalidCursor {
    JsonNode body = verify(CURSOR, cursor, name);
    if (!scope.org().equals(body.path("o").asText())) {
      throw new InvalidCursor("The " + name + " belongs to another organization");
    }
    if (!sessionId.equals(body.path("s").asText())) {
      throw new InvalidCursor("The " + name + " belongs to another " + sessionName);
    }
    if (!scope.key().equals(body.path("k").asText())) {
      throw new InvalidCursor("The " + name + " belongs to another historian path");
    }
    JsonNode evtType = body.get("e");
    return new HistorianQuery(
        scope,
        evtType == null ? null : evtType.asText(),
        body.path("a").asLong(),
        body.path("b").asLong(),
        body.path("n").asInt(),
        new Position(
            body.path("t").asLong(),
            body.path("y").asText(),
            body.path("i").asText(),
            body.path("q").asLong()));
  }

  // ---- signing ----

  private String sign(String kind, ObjectNode body) {
    String payload = B64.encodeToString(body.toString().getBytes(StandardCharsets.UTF_8));
    return payload + "." + B64.encodeToString(hmac(key, kind + "." + payload));
  }

  private JsonNode verify(String kind, String token, String name) throws InvalidCursor {
    int dot = token.indexOf('.');
    if (dot < 0 || token.length() > 2048) {
      throw new InvalidCursor("Invalid " + name);
    }
    String payload = token.substring(0, dot);
    byte[] mac;
    JsonNode body;
    try {
      mac = B64_DECODE.decode(token.substring(dot + 1));
      if (!MessageDigest.isEqual(mac, hmac(key, kind + "." + payload))) {
        throw new InvalidCursor("Invalid " + name);
      }
      body = JSON.readTree(B64_DECODE.decode(payload));
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw new InvalidCursor("Invalid " + name);
    }
    if (body == null || !body.isObject()) {
      throw new InvalidCursor("Invalid " + name);
    }
    if (body.path("x").asLong() < clock.millis()) {
      throw new InvalidCursor("The " + name + " has expired; start again without it");
    }
    return body;
  }

  private static byte[] hmac(SecretKeySpec key, String text) {
    return DerivedKeys.hmac(key, text);
  }
}
