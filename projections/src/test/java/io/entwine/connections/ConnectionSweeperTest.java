package io.entwine.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.connections.ConnectionOwners.Incarnation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which node incarnations' connections are recorded as ended. */
class ConnectionSweeperTest {
  private static final Instant NOW = Instant.parse("2026-12-07T17:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String SELF = "pekko://entwine@10.0.0.1:25520#11";
  private static final String PEER = "pekko://entwine@10.0.0.2:25520#22";

  @Test
  void anIncarnationRestartedOnItsAddressIsGoneAtOnce() {
    Incarnation before = new Incarnation("pekko://entwine@10.0.0.1:25520#10", NOW);

    assertEquals(List.of(before), gone(List.of(before), Set.of(SELF)));
  }

  @Test
  void aNodeThatIsNoMemberIsGoneOnlyOnceItsLeaseRanOut() {
    Incarnation fresh = new Incarnation("pekko://entwine@10.0.0.3:25520#33", NOW.minusSeconds(10));
    Incarnation expired =
        new Incarnation("pekko://entwine@10.0.0.4:25520#44", NOW.minusSeconds(31));
    Incarnation neverSeen = new Incarnation("pekko://entwine@10.0.0.5:25520#55", null);

    assertEquals(
        List.of(expired, neverSeen), gone(List.of(fresh, expired, neverSeen), Set.of(SELF)));
  }

  @Test
  void membersAndThisNodeAreNeverGoneWhateverTheirLease() {
    Incarnation peer = new Incarnation(PEER, NOW.minus(Duration.ofHours(1)));
    Incarnation self = new Incarnation(SELF, NOW.minus(Duration.ofHours(1)));

    assertEquals(List.of(), gone(List.of(peer, self), Set.of(SELF, PEER)));
    assertEquals(List.of(), gone(List.of(self), Set.of()));
  }

  private static List<Incarnation> gone(List<Incarnation> incarnations, Set<String> members) {
    return ConnectionSweeper.gone(incarnations, members, SELF, NOW, LEASE);
  }
}
