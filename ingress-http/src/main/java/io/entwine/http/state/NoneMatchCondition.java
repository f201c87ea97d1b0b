package io.entwine.http.state;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * An {@code If-None-Match} header (RFC 9110 §13.1.2): {@code *}, or the state versions its entity
 * tags name. Tags compare weakly, as the RFC requires for this header, so {@code W/"3"} names
 * version 3; a well-formed tag that is no version of ours names none.
 */
record NoneMatchCondition(boolean any, Set<Long> versions) {
  private static final int MAX_VERSION_DIGITS = 18;

  /**
   * Whether the state at {@code version}, with the part written empty or not, makes the condition
   * false.
   */
  boolean matches(long version, boolean exists) {
    return any ? exists : versions.contains(version);
  }

  /** The condition the header states, or empty when it is not {@code *} or a list of tags. */
  static Optional<NoneMatchCondition> parse(String header) {
    String value = header.trim();
    if (value.equals("*")) {
      return Optional.of(new NoneMatchCondition(true, Set.of()));
    }
    Set<Long> versions = new HashSet<>();
    int at = 0;
    while (true) {
      at = skipSpace(value, at);
      if (value.startsWith("W/", at)) {
        at += 2;
      }
      if (at >= value.length() || value.charAt(at) != '"') {
        return Optional.empty();
      }
      int close = value.indexOf('"', at + 1);
      if (close < 0) {
        return Optional.empty();
      }
      String tag = value.substring(at + 1, close);
      if (!tag.chars().allMatch(NoneMatchCondition::isTagCharacter)) {
        return Optional.empty();
      }
      if (!tag.isEmpty()
          && tag.length() <= MAX_VERSION_DIGITS
          && tag.chars().allMatch(Character::isDigit)) {
        versions.add(Long.parseLong(tag));
      }
      at = skipSpace(value, close + 1);
      if (at == value.length()) {
        return Optional.of(new NoneMatchCondition(false, versions));
      }
      if (value.charAt(at) != ',') {
        return Optional.empty();
      }
      at++;
    }
  }

  /** etagc of RFC 9110: visible ASCII but the double quote, or obs-text. */
  private static boolean isTagCharacter(int c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x7E) || c >= 0x80;
  }

  private static int skipSpace(String value, int at) {
    while (at < value.length() && (value.charAt(at) == ' ' || value.charAt(at) == '\t')) {
      at++;
    }
    return at;
  }
}
