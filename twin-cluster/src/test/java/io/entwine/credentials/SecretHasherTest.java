package io.entwine.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretHasherTest {
  private final SecretHasher hasher = new SecretHasher(1000);

  @Test
  void hashIsSaltedSoEqualSecretsHashDifferently() {
    String first = hasher.hash("same-secret");
    String second = hasher.hash("same-secret");

    assertNotEquals(first, second);
    assertTrue(hasher.verify(first, "same-secret"));
    assertTrue(hasher.verify(second, "same-secret"));
  }

  @Test
  void verifiesTheRightSecretAndRejectsAWrongOne() {
    String stored = hasher.hash("right-secret");

    assertTrue(hasher.verify(stored, "right-secret"));
    assertFalse(hasher.verify(stored, "wrong-secret"));
    assertFalse(hasher.verify(stored, "right-secreT"));
    assertFalse(hasher.verify(stored, ""));
  }

  @Test
  void storedFormEncodesAlgorithmIterationsSaltAndHash() {
    String[] parts = hasher.hash("secret").split("\\$");

    assertEquals(4, parts.length);
    assertEquals("pbkdf2-sha256", parts[0]);
    assertEquals("1000", parts[1]);
    assertEquals(16, Base64.getDecoder().decode(parts[2]).length);
    assertEquals(32, Base64.getDecoder().decode(parts[3]).length);
    assertFalse(hasher.hash("secret").contains("secret"));
  }

  @Test
  void verifiesWithTheIterationCountOfTheStoredHash() {
    String storedWithFewRounds = new SecretHasher(10).hash("secret");

    assertTrue(hasher.verify(storedWithFewRounds, "secret"), "rounds are read from the hash");
    String tampered = storedWithFewRounds.replaceFirst("\\$10\\$", "\\$11\\$");
    assertFalse(hasher.verify(tampered, "secret"));
  }

  @Test
  void malformedStoredHashNeverVerifies() {
    String good = hasher.hash("secret");
    String[] parts = good.split("\\$");

    for (String malformed :
        new String[] {
          "",
          "secret",
          "pbkdf2-sha256$1000$" + parts[2],
          "md5$1000$" + parts[2] + "$" + parts[3],
          "pbkdf2-sha256$many$" + parts[2] + "$" + parts[3],
          "pbkdf2-sha256$0$" + parts[2] + "$" + parts[3],
          "pbkdf2-sha256$-5$" + parts[2] + "$" + parts[3],
          "pbkdf2-sha256$1000$!!not-base64!!$" + parts[3],
          "pbkdf2-sha256$1000$$" + parts[3],
          good + "$extra",
        }) {
      assertFalse(hasher.verify(malformed, "secret"), malformed);
    }
  }

  @Test
  void refusesNonPositiveIterationCounts() {
    assertThrows(IllegalArgumentException.class, () -> new SecretHasher(0));
  }
}
