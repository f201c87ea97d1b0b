package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectionPhaseTest {

  @Test
  void everyPhaseButClosedCanCloseAndClosedIsTheEnd() {
    for (ConnectionPhase phase : ConnectionPhase.values()) {
      if (phase != ConnectionPhase.CLOSED) {
        assertEquals(ConnectionPhase.CLOSED, phase.moveTo(ConnectionPhase.CLOSED), phase.name());
      }
    }
    assertTrue(ConnectionPhase.CLOSED.next().isEmpty());
    assertTrue(ConnectionPhase.CLOSED.closing());
  }

  @Test
  void onlyPhasesAfterConnackAreAcceptedAndOnlyANodeFullRefusalHoldsNoSlot() {
    Set<ConnectionPhase> accepted = EnumSet.noneOf(ConnectionPhase.class);
    Set<ConnectionPhase> withoutSlot = EnumSet.noneOf(ConnectionPhase.class);
    for (ConnectionPhase phase : ConnectionPhase.values()) {
      if (phase.accepted()) {
        accepted.add(phase);
      }
      if (!phase.holdsSlot()) {
        withoutSlot.add(phase);
      }
    }
    assertEquals(
        EnumSet.of(
            ConnectionPhase.CONNECTED,
            ConnectionPhase.CLIENT_DISCONNECTED,
            ConnectionPhase.DISCONNECTING,
            ConnectionPhase.TAKEN_OVER),
        accepted);
    assertEquals(
        EnumSet.of(ConnectionPhase.OPENING, ConnectionPhase.NODE_FULL, ConnectionPhase.CLOSED),
        withoutSlot);
  }

  @Test
  void aClientThatSentDisconnectIsNotYetClosingSoWorkUnderWayFinishes() {
    assertFalse(ConnectionPhase.CLIENT_DISCONNECTED.closing());
    assertEquals(
        ConnectionPhase.DISCONNECTING,
        ConnectionPhase.CLIENT_DISCONNECTED.moveTo(ConnectionPhase.DISCONNECTING));
  }

  @Test
  void refusesToMoveBackwardsOrSkipTheClaim() {
    assertThrows(
        IllegalStateException.class,
        () -> ConnectionPhase.CONNECTED.moveTo(ConnectionPhase.AUTHENTICATING));
    assertThrows(
        IllegalStateException.class,
        () -> ConnectionPhase.AUTHENTICATING.moveTo(ConnectionPhase.CONNECTED));
    assertThrows(
        IllegalStateException.class,
        () -> ConnectionPhase.REFUSED.moveTo(ConnectionPhase.DISCONNECTING));
  }
}
