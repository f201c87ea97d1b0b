package io.entwine.deploy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void writesFamiliesWithHelpTypeAndLabelledSamples() {
    String text =
        new PrometheusText()
            .gauge("entwine_projection_lag_seconds", "Lag per slice")
            .sample("entwine_projection_lag_seconds", 1.5, "projection", "historian", "slice", "s0")
            .sample("entwine_projection_lag_seconds", 0, "projection", "historian", "slice", "s1")
            .counter("entwine_events_acknowledged_total", "Acknowledged events")
            .sample("entwine_events_acknowledged_total", 12345678, "protocol", "mqtt")
            .text();

    assertEquals(
        """
        # HELP entwine_projection_lag_seconds Lag per slice
        # TYPE entwine_projection_lag_seconds gauge
        entwine_projection_lag_seconds{projection="historian",slice="s0"} 1.5
        entwine_projection_lag_seconds{projection="historian",slice="s1"} 0
        # HELP entwine_events_acknowledged_total Acknowledged events
        # TYPE entwine_events_acknowledged_total counter
        entwine_events_acknowledged_total{protocol="mqtt"} 12345678
        """,
        text);
  }

  @Test
  void escapesLabelValuesAndWritesSpecialNumbers() {
    String text =
        new PrometheusText()
            .gauge("g", "help with \\ backslash")
            .sample("g", Double.NaN, "type", "a\"b\\c\nd")
            .sample("g", Double.POSITIVE_INFINITY)
            .text();

    assertEquals(
        "# HELP g help with \\\\ backslash\n# TYPE g gauge\n"
            + "g{type=\"a\\\"b\\\\c\\nd\"} NaN\ng +Inf\n",
        text);
  }

  @Test
  void refusesAnOddLabelList() {
    assertThrows(
        IllegalArgumentException.class, () -> new PrometheusText().sample("g", 1, "only-name"));
  }
}
