package io.entwine.credentials;

import java.security.SecureRandom;

/** Generated secrets and identifiers; all from one SecureRandom. */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String LOWER_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String TOKEN_CHARS = ALPHANUMERIC + "-_";

  private Tokens() {}

  /** A device or API-key token: 20 characters, about 119 bits, safe to paste into a shell. */
  public static String secret() {
    return random(TOKEN_CHARS, 20);
  }

  /** An organization id as IBM generates them: six lowercase letters and digits. */
  public static String organizationId() {
    return random(LOWER_ALPHANUMERIC, 6);
  }

  /** The random part of an API key {@code a-org-xxxxxxxxxx}. */
  public static String apiKeySuffix() {
    return random(LOWER_ALPHANUMERIC, 10);
  }

  private static String random(String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
