package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.live.LiveMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an application's persistent session keeps while its client is away. */
class OfflineBufferTest {
  private static final String EVENTS = "iot-2/type/+/id/+/evt/+/fmt/+";
  private static final String STATUS = "iot-2/type/+/id/+/mon";

  private static LiveMessage.DeviceEvent event(String id, int qos, int size) {
    return new LiveMessage.DeviceEvent(
        "acme", "t", id, "e", "json", new byte[size], Instant.EPOCH, qos, null);
  }

  private static OfflineBuffer buffer(int capacity, long maxBytes, int subscriptionQos) {
    return new OfflineBuffer(
        List.of(
            new ClusterLink.StoredSubscription(EVENTS, subscriptionQos),
            new ClusterLink.StoredSubscription(STATUS, 1)),
        new OfflineBuffer.Limits(capacity, maxBytes, Duration.ofHours(1)));
  }

  @Test
  void keepsMatchingMessagesAtTheLowerQosInArrivalOrder() {
    OfflineBuffer buffer = buffer(10, 1 << 20, 2);
    assertTrue(buffer.offer(event("a", 1, 3)));
    assertTrue(buffer.offer(new LiveMessage.DeviceStatus("acme", "t", "b", new byte[] {'{', '}'})));
    assertTrue(buffer.offer(event("c", 2, 3)));

    List<ClusterLink.BufferedMessage> kept = buffer.chunks(1 << 20).get(0);
    assertEquals(
        List.of(
            "iot-2/type/t/id/a/evt/e/fmt/json",
            "iot-2/type/t/id/b/mon",
            "iot-2/type/t/id/c/evt/e/fmt/json"),
        kept.stream().map(ClusterLink.BufferedMessage::topic).toList());
    assertEquals(List.of(1, 1, 2), kept.stream().map(ClusterLink.BufferedMessage::qos).toList());
    assertEquals(EVENTS, kept.get(0).filter());
  }

  @Test
  void leavesOutQosZeroAndWhatNoSubscriptionSelects() {
    OfflineBuffer buffer = buffer(10, 1 << 20, 1);
    assertFalse(buffer.offer(event("a", 0, 3)), "published at QoS 0");
    assertFalse(
        buffer.offer(new LiveMessage.ApplicationStatus("acme", "other", new byte[] {1})),
        "no subscription to application status");
    assertFalse(buffer(10, 1 << 20, 0).offer(event("a", 2, 3)), "subscribed at QoS 0");
    assertEquals(0, buffer.size());
  }

  @Test
  void dropsTheOldestOfAFullSubscriptionAndCountsIt() {
    OfflineBuffer buffer = buffer(3, 1 << 20, 1);
    buffer.keepAll(List.of(new ClusterLink.BufferedMessage(EVENTS, "owed", new byte[1], 1)));
    for (String id : List.of("a", "b", "c")) {
      buffer.offer(event(id, 1, 1));
    }
    assertEquals(3, buffer.size());
    assertEquals(1, buffer.dropped());
    assertEquals("iot-2/type/t/id/a/evt/e/fmt/json", buffer.chunks(1 << 20).get(0).get(0).topic());
  }

  @Test
  void staysWithinItsByteBoundAndComesOutInBoundedChunks() {
    OfflineBuffer buffer = buffer(100, 10_000, 1);
    for (int i = 0; i < 30; i++) {
      buffer.offer(event("d" + i, 1, 1000));
    }
    assertEquals(10, buffer.size());
    assertEquals(20, buffer.dropped());
    List<List<ClusterLink.BufferedMessage>> chunks = buffer.chunks(3000);
    assertEquals(List.of(3, 3, 3, 1), chunks.stream().map(List::size).toList());
    assertEquals("iot-2/type/t/id/d20/evt/e/fmt/json", chunks.get(0).get(0).topic());
  }
}
