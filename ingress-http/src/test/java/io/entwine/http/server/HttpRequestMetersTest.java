package io.entwine.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

/** Requests are timed by route template: the routes' words stay, everything else is {@code {}}. */
class HttpRequestMetersTest {
  @Test
  void templatesKeepTheRoutesWordsAndHideIds() {
    assertEquals(
        "/api/v0002/device/types/{}/devices/{}/events/{}",
        HttpRequestMeters.template(
            List.of("api", "v0002", "device", "types", "meter", "devices", "m-1", "events", "t")));
    assertEquals("/telemetry", HttpRequestMeters.template(List.of("telemetry")));
    assertEquals(
        "/api/v0001/devices/", HttpRequestMeters.template(List.of("api", "v0001", "devices", "")));
    assertEquals("/", HttpRequestMeters.template(List.of()));
    assertEquals(
        HttpRequestMeters.OTHER,
        HttpRequestMeters.template(
            List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m")));
  }

  @Test
  void recordsByTemplateMethodAndStatus() {
    MeterRegistry registry = new SimpleMeterRegistry();
    HttpRequestMeters meters = new HttpRequestMeters(registry);

    meters.record(
        HttpRequest.POST("/api/v0002/device/types/meter/devices/m-1/events/status"),
        200,
        System.nanoTime());
    meters.record(HttpRequest.GET("/health/ready"), 503, System.nanoTime());

    assertEquals(
        1,
        registry
            .get(HttpRequestMeters.NAME)
            .tag("route", "/api/v0002/device/types/{}/devices/{}/events/{}")
            .tag("method", "POST")
            .tag("status", "200")
            .timer()
            .count());
    assertNotNull(
        registry
            .find(HttpRequestMeters.NAME)
            .tags("route", "/health/ready", "method", "GET", "status", "503")
            .timer());
  }

  @Test
  void boundsTheNumberOfTemplates() {
    MeterRegistry registry = new SimpleMeterRegistry();
    HttpRequestMeters meters = new HttpRequestMeters(registry);
    String[] words = {"devices", "types", "some-id"};

    // 3^6 = 729 distinct templates of six segments, more than the bound
    for (int i = 0; i < 729; i++) {
      StringBuilder path = new StringBuilder();
      for (int digit = 0, rest = i; digit < 6; digit++, rest /= 3) {
        path.append('/').append(words[rest % 3]);
      }
      meters.record(
          HttpRequest.create(path.toString()).withMethod(HttpMethods.GET), 404, System.nanoTime());
    }

    long routes =
        registry.find(HttpRequestMeters.NAME).timers().stream()
            .map(timer -> timer.getId().getTag("route"))
            .distinct()
            .count();
    assertEquals(HttpRequestMeters.MAX_TEMPLATES + 1, routes, "the bound and 'other'");
    assertNotNull(
        registry.find(HttpRequestMeters.NAME).tag("route", HttpRequestMeters.OTHER).timer());
  }
}
