package io.entwine.integration.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BridgeActivityTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static BridgeStatus after(BridgeActivity activity, BridgeStream.Report... reports) {
    for (BridgeStream.Report report : reports) {
      activity.record(report);
    }
    return activity.status();
  }

  @Test
  void aNewBridgeIsNotConnectedAndHasCountedNothing() {
    assertEquals(
        new BridgeStatus(false, null, 0, 0, 0, 0, null, null), after(new BridgeActivity()));
  }

  @Test
  void countsRecordedAndFailedMessagesAndKeepsTheLastError() {
    BridgeStatus status =
        after(
            new BridgeActivity(),
            new BridgeStream.Connected(T0),
            new BridgeStream.Recorded(T0.plusSeconds(1)),
            new BridgeStream.Failed(T0.plusSeconds(2), "Converter failed on topic 'a': boom"),
            new BridgeStream.Recorded(T0.plusSeconds(3)));
    assertTrue(status.connected());
    assertEquals(T0, status.connectedSince());
    assertEquals(3, status.messages());
    assertEquals(2, status.recorded());
    assertEquals(1, status.failed());
    assertEquals(T0.plusSeconds(3), status.lastMessageAt());
    assertEquals(
        new BridgeStatus.LastError(T0.plusSeconds(2), "Converter failed on topic 'a': boom"),
        status.lastError());
  }

  @Test
  void aLostConnectionIsTheLastErrorUntilTheBridgeReconnects() {
    BridgeActivity activity = new BridgeActivity();
    BridgeStatus lost =
        after(
            activity,
            new BridgeStream.Connected(T0),
            new BridgeStream.Disconnected(T0.plusSeconds(5), "Connection lost"));
    assertFalse(lost.connected());
    assertNull(lost.connectedSince());
    assertEquals("Connection lost", lost.lastError().message());

    BridgeStatus again = after(activity, new BridgeStream.Connected(T0.plusSeconds(7)));
    assertTrue(again.connected());
    assertEquals(2, again.connects());
    assertEquals(T0.plusSeconds(7), again.connectedSince());
    assertEquals("Connection lost", again.lastError().message(), "kept for the operator");
    assertFalse(lost.connected(), "a status read earlier is a copy, not changed by later reports");
  }
}
