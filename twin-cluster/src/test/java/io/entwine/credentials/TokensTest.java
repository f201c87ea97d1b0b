package io.entwine.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.identity.Ids;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokensTest {
  private static final int SAMPLES = 500;

  @Test
  void secretIsTwentyShellSafeCharacters() {
    for (int i = 0; i < SAMPLES; i++) {
      String secret = Tokens.secret();
      assertTrue(secret.matches("[A-Za-z0-9_-]{20}"), secret);
    }
  }

  @Test
  void organizationIdIsSixLowercaseLettersAndDigits() {
    for (int i = 0; i < SAMPLES; i++) {
      String orgId = Tokens.organizationId();
      assertTrue(orgId.matches("[a-z0-9]{6}"), orgId);
      assertTrue(Ids.isOrgId(orgId), orgId);
    }
  }

  @Test
  void apiKeySuffixIsTenLowercaseLettersAndDigits() {
    for (int i = 0; i < SAMPLES; i++) {
      String suffix = Tokens.apiKeySuffix();
      assertTrue(suffix.matches("[a-z0-9]{10}"), suffix);
      String orgId = Tokens.organizationId();
      assertEquals(Optional.of(orgId), Ids.organizationOfApiKey(Ids.apiKey(orgId, suffix)));
    }
  }

  @Test
  void secretsDoNotRepeat() {
    Set<String> secrets =
        IntStream.range(0, SAMPLES).mapToObj(i -> Tokens.secret()).collect(Collectors.toSet());

    assertEquals(SAMPLES, secrets.size());
  }

  @Test
  void secretsUseTheWholeAlphabet() {
    Set<Character> seen =
        IntStream.range(0, SAMPLES)
            .mapToObj(i -> Tokens.secret())
            .flatMapToInt(String::chars)
            .mapToObj(c -> (char) c)
            .collect(Collectors.toSet());

    // 10,000 draws from 64 characters: every one appears (a miss has odds below 1e-60).
    assertEquals(64, seen.size());
  }
}
