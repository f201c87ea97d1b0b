package io.entwine.http.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StreamTokensTest {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private static StreamTokens at(Instant now) {
    return new StreamTokens(KEY, Duration.ofMinutes(5), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void aTokenNamesItsOrganizationAndKeyUntilItExpires() {
    StreamTokens.Issued issued = at(NOW).issue("acme", "a-acme-key");
    assertEquals(NOW.plusSeconds(300), issued.expiresAt());
    assertEquals(
        Optional.of(new StreamTokens.Holder("acme", "a-acme-key")),
        at(NOW.plusSeconds(299)).verify(issued.token()));
    assertTrue(at(NOW.plusSeconds(300)).verify(issued.token()).isEmpty(), "expired");
  }

  @Test
  void refusesForgedAlteredAndMalformedTokens() {
    String token = at(NOW).issue("acme", "a-acme-key").token();
    StreamTokens otherKey =
        new StreamTokens(
            "another key of thirty-two bytes!".getBytes(StandardCharsets.UTF_8),
            Duration.ofMinutes(5),
            Clock.fixed(NOW, ZoneOffset.UTC));
    assertTrue(otherKey.verify(token).isEmpty(), "signed with another cluster key");
    String body = token.substring(0, token.indexOf('.'));
    String signature = token.substring(token.indexOf('.'));
    String altered = body.substring(0, body.length() - 2) + "AA" + signature;
    assertTrue(at(NOW).verify(altered).isEmpty());
    for (String malformed : new String[] {"", ".", "abc", "abc.def", "%%%.%%%", token + "x"}) {
      assertTrue(at(NOW).verify(malformed).isEmpty(), malformed);
    }
  }
}
