package io.entwine.http.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.entwine.credentials.DerivedKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived stream tokens for clients that cannot send an {@code Authorization} header (a
 * browser's {@code EventSource} and {@code WebSocket}): base64url JSON naming the organization, the
 * API key that asked for it and the expiry, and an HMAC-SHA256 over it keyed from the cluster key,
 * so any node accepts it and nobody can forge or extend one. A token is valid until it expires,
 * even if its API key is deleted meanwhile (at most {@code entwine.streams.token-ttl}).
 */
public final class StreamTokens {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** A token's organization and the API key it was issued to. */
  public record Holder(String org, String key) {}

  /** A token and when it stops being valid. */
  public record Issued(String token, Instant expiresAt) {}

  private final SecretKeySpec key;
  private final Duration ttl;
  private final Clock clock;

  public StreamTokens(byte[] key, Duration ttl, Clock clock) {
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * Keyed from the cluster key ({@code entwine.credentials.secret-key}); without one, a key of this
   * process, so tokens are valid only on this node until it stops.
   */
  public static StreamTokens fromConfig(Config root, Duration ttl) {
    byte[] key =
        DerivedKeys.fromClusterKey(root, "entwine stream tokens v1")
            .orElseGet(DerivedKeys::processOnly);
    return new StreamTokens(key, ttl, Clock.systemUTC());
  }

  public Duration ttl() {
    return ttl;
  }

  public Issued issue(String org, String apiKey) {
    Instant expiresAt = clock.instant().plus(ttl);
    ObjectNode body = JSON.createObjectNode();
    body.put("o", org);
    body.put("k", apiKey);
    body.put("e", expiresAt.getEpochSecond());
    String encoded = B64.encodeToString(body.toString().getBytes(StandardCharsets.UTF_8));
    return new Issued(
        encoded + "." + B64.encodeToString(DerivedKeys.hmac(key, encoded)),
        Instant.ofEpochSecond(expiresAt.getEpochSecond()));
  }

  /** The holder of {@code token}, or empty when it is forged, altered, malformed or expired. */
  public Optional<Holder> verify(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.length() > 1024) {
      return Optional.empty();
    }
    String encoded = token.substring(0, dot);
    try {
      byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
      if (!MessageDigest.isEqual(signature, DerivedKeys.hmac(key, encoded))) {
        return Optional.empty();
      }
      JsonNode body = JSON.readTree(Base64.getUrlDecoder().decode(encoded));
      if (clock.instant().getEpochSecond() >= body.path("e").asLong(0)) {
        return Optional.empty();
      }
      return Optional.of(new Holder(body.path("o").asText(), body.path("k").asText()));
    } catch (IllegalArgumentException | java.io.IOException e) {
      return Optional.empty();
    }
  }
}
