package io.entwine.credentials;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 keys for signed tokens (historian cursors, stream tokens), each derived from the
 * cluster key ({@code entwine.credentials.secret-key}) for one purpose, so that every node of a
 * cluster signs and checks alike and a token of one kind is never valid as another.
 */
public final class DerivedKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private DerivedKeys() {}

  /**
   * The key for {@code purpose}, or empty without a cluster key (tests, a node started without
   * one), when the caller chooses a key of its own process ({@link #processOnly}).
   */
  public static Optional<byte[]> fromClusterKey(Config root, String purpose) {
    String clusterKey = root.getString("entwine.credentials.secret-key");
    if (clusterKey.isBlank()) {
      return Optional.empty();
    }
    byte[] secret = Base64.getDecoder().decode(clusterKey.strip());
    return Optional.of(hmac(new SecretKeySpec(secret, "HmacSHA256"), purpose));
  }

  /** A random key valid in this process only: its tokens do not survive a restart. */
  public static byte[] processOnly() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return key;
  }

  public static byte[] hmac(SecretKeySpec key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
