package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.historian.HistorianCursors.InvalidCursor;
import io.entwine.identity.DeviceKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class HistorianCursorsTest {
  private static final byte[] KEY = new byte[32];
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final HistorianScope TYPE = HistorianScope.deviceType("acme", "thermostat");
  private static final HistorianQuery QUERY =
      new HistorianQuery(TYPE, "status", 1_000, 9_000, 10, null);
  private static final Position NEXT = new Position(5_000, "thermostat", "lab-1", 42);

  private final HistorianCursors cursors =
      new HistorianCursors(KEY, Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aCursorResumesItsQueryAfterItsPosition() throws InvalidCursor {
    String session = cursors.sessionId(cursors.newSession("acme"), "acme");
    String cursor = cursors.cursor(session, QUERY, NEXT);

    assertEquals(QUERY.withAfter(NEXT), cursors.resume(cursor, session, TYPE));
  }

  @Test
  void refusesCursorsOfAnotherOrganizationSessionOrPath() throws InvalidCursor {
    String session = cursors.sessionId(cursors.newSession("acme"), "acme");
    String cursor = cursors.cursor(session, QUERY, NEXT);

    assertMessage(
        "another organization",
        () -> cursors.resume(cursor, session, HistorianScope.deviceType("other", "thermostat")));
    assertMessage("another iotHistorianSessionId", () -> cursors.resume(cursor, "x", TYPE));
    assertMessage(
        "another historian path",
        () ->
            cursors.resume(
                cursor,
                session,
                HistorianScope.device(new DeviceKey("acme", "thermostat", "lab-1"))));
    assertMessage(
        "another organization", () -> cursors.sessionId(cursors.newSession("acme"), "other"));
  }

  @Test
  void refusesForgedAlteredOrExpiredCursors() throws InvalidCursor {
    String session = cursors.sessionId(cursors.newSession("acme"), "acme");
    String cursor = cursors.cursor(session, QUERY, NEXT);
    String payload = cursor.substring(0, cursor.indexOf('.'));
    String mac = cursor.substring(cursor.indexOf('.'));
    String altered =
        new String(Base64.getUrlDecoder().decode(payload)).replace("\"q\":42", "\"q\":43");
    String alteredCursor =
        Base64.getUrlEncoder().withoutPadding().encodeToString(altered.getBytes()) + mac;

    assertMessage("Invalid cursorId", () -> cursors.resume(alteredCursor, session, TYPE));
    assertMessage("Invalid cursorId", () -> cursors.resume("garbage", session, TYPE));
    assertMessage("Invalid cursorId", () -> cursors.resume(payload + ".AAAA", session, TYPE));
    HistorianCursors otherKey =
        new HistorianCursors(new byte[] {1}, Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));
    assertMessage("Invalid cursorId", () -> otherKey.resume(cursor, session, TYPE));
    // a session token is not a cursor
    assertMessage(
        "Invalid cursorId", () -> cursors.resume(cursors.session("acme", session), session, TYPE));

    HistorianCursors later =
        new HistorianCursors(
            KEY,
            Duration.ofHours(1),
            Clock.fixed(NOW.plus(Duration.ofMinutes(61)), ZoneOffset.UTC));
    assertMessage("expired", () -> later.resume(cursor, session, TYPE));
  }

  private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
    InvalidCursor e = assertThrows(InvalidCursor.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
