package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryPlanTest {
  private static final long H = Buckets.HOUR;

  @Test
  void alignedRangesAreAllRollups() {
    SummaryPlan plan = SummaryPlan.of(10 * H, 34 * H);
    assertEquals(10 * H, plan.wholeStart());
    assertEquals(34 * H, plan.wholeEnd());
    assertEquals(List.of(), plan.edges());
  }

  @Test
  void partialHoursAtTheEdgesComeFromRawEvents() {
    SummaryPlan plan = SummaryPlan.of(10 * H + 5, 12 * H + 7);
    assertEquals(11 * H, plan.wholeStart());
    assertEquals(12 * H, plan.wholeEnd());
    assertEquals(
        List.of(
            new SummaryPlan.Range(10 * H + 5, 11 * H), new SummaryPlan.Range(12 * H, 12 * H + 7)),
        plan.edges());
  }

  @Test
  void aRangeAcrossOneHourBoundaryIsTwoEdges() {
    SummaryPlan plan = SummaryPlan.of(10 * H + 5, 11 * H + 7);
    assertFalse(plan.hasWholeHours());
    assertEquals(
        List.of(
            new SummaryPlan.Range(10 * H + 5, 11 * H), new SummaryPlan.Range(11 * H, 11 * H + 7)),
        plan.edges());
  }

  @Test
  void aRangeWithinOneHourIsOneEdge() {
    SummaryPlan plan = SummaryPlan.of(10 * H + 5, 10 * H + 7);
    assertFalse(plan.hasWholeHours());
    assertEquals(List.of(new SummaryPlan.Range(10 * H + 5, 10 * H + 7)), plan.edges());
  }

  @Test
  void bucketsOfNegativeTimesStartBeforeThem() {
    assertEquals(-H, Buckets.start(-1, H));
    assertEquals(0, Buckets.ceil(-1, H));
    assertEquals(-1, Buckets.period(-H));
    assertEquals(
        Buckets.MIN_TIME - Math.floorMod(Buckets.MIN_TIME, Buckets.DAY),
        Buckets.start(Buckets.MIN_TIME, Buckets.DAY));
  }
}
