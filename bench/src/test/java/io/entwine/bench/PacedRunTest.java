package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The paced run's flags, which the loads' steps read, and the bench's device requests. */
class PacedRunTest {

  @Test
  void measuresOnlyAfterTheFiguresWereResetAndStopsSendingAtTheEnd() throws Exception {
    PacedRun paced = new PacedRun();
    AtomicInteger resets = new AtomicInteger();
    AtomicInteger measuredSteps = new AtomicInteger();

    double seconds =
        paced.run(
            200,
            0,
            1,
            n -> {
              if (paced.measuring()) {
                measuredSteps.incrementAndGet();
              }
            },
            resets::incrementAndGet);

    assertEquals(1, resets.get());
    assertTrue(measuredSteps.get() > 0, "steps counted while measuring");
    assertTrue(seconds >= 1.0, "the measured interval lasted the seconds asked");
    assertFalse(paced.measuring());
    assertFalse(paced.running());
  }

  @Test
  void addressesABenchDeviceOfTheOrganizationByHost() {
    HttpRequest request =
        OrganizationHttp.deviceRequest(8081, "bench", 7, "/events/status").GET().build();

    assertEquals(
        URI.create(
            "http://127.0.0.1:8081/api/v0002/device/types/"
                + MqttTarget.DEVICE_TYPE
                + "/devices/"
                + MqttTarget.deviceId(7)
                + "/events/status"),
        request.uri());
    assertEquals("bench.localhost", request.headers().firstValue("Host").orElseThrow());
  }
}
