package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacketIdsTest {

  @Test
  void anUnusedSetAnswersEmptyAndIgnoresRemovals() {
    PacketIds ids = new PacketIds();

    ids.remove(7);

    assertFalse(ids.contains(7));
    assertEquals(0, ids.size());
  }

  @Test
  void holdsEachIdOnceUntilRemoved() {
    PacketIds ids = new PacketIds();

    ids.add(7);
    ids.add(7);
    ids.add(65535);

    assertTrue(ids.contains(7));
    assertTrue(ids.contains(65535));
    assertEquals(2, ids.size());

    ids.remove(7);

    assertFalse(ids.contains(7));
    assertEquals(1, ids.size());
  }
}
