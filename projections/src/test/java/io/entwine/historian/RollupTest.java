package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.historian.DeviceRollup.Contribution;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollupTest {

  @Test
  void aDeviceRollupSkipsEventsItAlreadyHolds() {
    DeviceRollup once =
        DeviceRollup.EMPTY.plus(
            List.of(new Contribution("a", 3, 1.5), new Contribution("a", 5, 2)));
    DeviceRollup again =
        once.plus(List.of(new Contribution("a", 3, 1.5), new Contribution("a", 5, 2)));
    DeviceRollup more =
        again.plus(List.of(new Contribution("a", 5, 2), new Contribution("a", 9, 4)));

    assertSame(once, again);
    assertEquals(5, once.appliedSeqNr());
    assertEquals(3, more.stats().count());
    assertEquals(9, more.appliedSeqNr());
    assertEquals(7.5, SummarizeType.SUM.apply(more.stats()));
  }

  @Test
  void aTypeRollupSkipsEachDevicesEventsItAlreadyHolds() {
    TypeRollup.Update first =
        TypeRollup.EMPTY.plus(List.of(new Contribution("a", 3, 1), new Contribution("b", 7, 10)));
    TypeRollup.Update replay =
        first
            .rollup()
            .plus(
                List.of(
                    new Contribution("a", 3, 1),
                    new Contribution("b", 7, 10),
                    new Contribution("b", 8, 100),
                    new Contribution("a", 2, 1000)));

    assertEquals(Map.of("a", 3L, "b", 7L), first.changedSeqNrs());
    assertEquals(Map.of("b", 8L), replay.changedSeqNrs());
    assertEquals(111.0, SummarizeType.SUM.apply(replay.rollup().stats()));
    assertTrue(replay.rollup().plus(List.of(new Contribution("b", 8, 100))).isEmpty());
  }
}
