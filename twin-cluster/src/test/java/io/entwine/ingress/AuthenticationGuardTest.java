package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.entwine.protocol.Rejection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
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

  @Test
  void aDeviceThatKeepsAuthenticatingStaysKnownWhileAFloodFromItsAddressLasts() {
    AtomicLong nanos = new AtomicLong();
    ActorTestKit own =
        ActorTestKit.create(
            ConfigFactory.parseString(
                    "entwine.authentication-guard.max-failures-per-address = 2\n"
                        + "entwine.authentication-guard.unknown-ttl = 60s\n"
                        + "entwine.authentication-guard.failure-window = 60s\n"
                        + "pekko.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    try {
      AuthenticationGuard clocked = new AuthenticationGuard(own.system(), nanos::get);
      String address = "192.0.2.9";
      String device = "device:o/t/steady";
      clocked.matched(device);
      nanos.addAndGet(Duration.ofSeconds(40).toNanos());
      clocked.matched(device); // authenticated again, 40 s after the first time
      nanos.addAndGet(
          Duration.ofSeconds(40).toNanos()); // 80 s after the first, 40 s after the last
      clocked.cannotMatch("device:o/t/random1", address, clocked.stamp());
      clocked.cannotMatch("device:o/t/random2", address, clocked.stamp());
      assertEquals(
          Rejection.LIMIT_EXCEEDED,
          clocked.refusal("device:o/t/random3", address).reason(),
          "the flooding address is over its limit");

      assertNull(clocked.refusal(device, address), "the steady device is still let through");
    } finally {
      own.shutdownTestKit();
    }
  }
}
