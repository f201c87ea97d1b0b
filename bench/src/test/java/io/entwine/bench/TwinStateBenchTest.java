package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code bench twin-state} sends and the figures line {@code bench/run} reads from it. */
class TwinStateBenchTest {
  private static Map<String, String> fields(String line) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : line.split(" ")) {
      String[] parts = pair.split("=", 2);
      fields.put(parts[0], parts[1]);
    }
    return fields;
  }

  @Test
  void theFiguresLineNamesWhatBenchRunReads() {
    Histogram delta = new Histogram();
    Histogram patch = new Histogram();
    for (int millis = 1; millis <= 100; millis++) {
      delta.record(millis * 1_000_000L - 1);
      patch.record(millis * 500_000L - 1);
    }

    Map<String, String> figures =
        fields(StateDeltaLoad.figures(1000, 100, 1000, 2, 998, 10.0, delta, patch));

    assertEquals("1000", figures.get("devices"));
    assertEquals("100", figures.get("patches_per_s"));
    assertEquals("998", figures.get("deltas"));
    assertEquals("2", figures.get("refused"));
    assertEquals("50.0", figures.get("delta_p50"));
    assertEquals("99.0", figures.get("delta_p99"));
    assertEquals("100.0", figures.get("delta_max"));
    assertEquals("49.5", figures.get("patch_p99"));
  }

  @Test
  void aReportedPatchIsAsLargeAsAnEventAndCarriesItsSendTimeAtTheTop() {
    String event = MqttLoad.payloadText(false, 50, 123456);
    String reported = MqttLoad.payloadText(true, 50, 123456);

    assertEquals(49, event.length());
    assertEquals(event.length(), reported.length());
    assertTrue(event.startsWith("{\"d\":{\"t\":123456,\"p\":\"x"), event);
    assertTrue(reported.startsWith("{\"t\":123456,\"p\":\"x"), reported);
    assertTrue(reported.endsWith("x\"}"), reported);
    Histogram latency = new Histogram();
    SendTime.recordSince("{\"version\":7,\"delta\":{\"t\":" + SendTime.now() + "}}", latency);
    assertTrue(latency.percentileMillis(100) > 0, "a delta's send time is read back");
  }

  @Test
  void reportedPatchesNeedEntwine() {
    assertThrows(
        IllegalArgumentException.class,
        () -> MqttLoad.main(new String[] {"--port", "1", "--reported", "--connections", "0"}));
  }
}
