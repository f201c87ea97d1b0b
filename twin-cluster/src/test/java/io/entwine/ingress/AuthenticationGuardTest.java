package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.entwine.protocol.Rejection;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthenticationGuardTest {
  private static ActorTestKit testKit;
  private static AuthenticationGuard guard;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            ConfigFactory.parseString(
                    "entwine.authentication-guard.max-failures-per-address = 2\n"
                        + "pekko.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    guard = AuthenticationGuard.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aKeyThatCannotMatchIsRefusedUntilItIsForgotten() {
    guard.cannotMatch("device:o/t/a", null, guard.stamp());

    assertEquals(AuthenticationGuard.UNKNOWN, guard.refusal("device:o/t/a", null));
    assertNull(guard.refusal("device:o/t/b", null), "other keys are asked for");

    guard.forget("device:o/t/a");
    assertNull(guard.refusal("device:o/t/a", null));
  }

  @Test
  void anAnswerThatRacedARegistrationIsNotRemembered() {
    long stamp = guard.stamp();
    guard.forget("device:o/t/raced");

    guard.cannotMatch("device:o/t/raced", null, stamp);

    assertNull(guard.refusal("device:o/t/raced", null));
  }

  @Test
  void anAddressOverItsLimitWakesNothingMoreExceptForKeysKnownToExist() {
    String address = "192.0.2.7";
    guard.cannotMatch("device:o/t/x1", address, guard.stamp());
    assertNull(guard.refusal("device:o/t/x2", address), "one failure is under the limit of 2");
    guard.cannotMatch("device:o/t/x2", address, guard.stamp());

    assertEquals(
        Rejection.LIMIT_EXCEEDED, guard.refusal("device:o/t/x3", address).reason(), "over it");
    assertNull(guard.refusal("device:o/t/x3", "192.0.2.8"), "other addresses are not limited");
    guard.matched("device:o/t/known");
    assertNull(guard.refusal("device:o/t/known", address), "a device that authenticated");
    guard.forget("device:o/t/x1");
    assertNull(guard.refusal("device:o/t/x1", address), "a device registered meanwhile");
  }
}
