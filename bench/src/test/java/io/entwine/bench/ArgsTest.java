package io.entwine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArgsTest {
  @Test
  void readsValuesFlagsAndDefaults() {
    Args args = new Args(new String[] {"--qos", "0", "--subscribe", "--org", "bench"});
    assertEquals(0, args.integer("qos", 1));
    assertEquals(1000, args.integer("connections", 1000));
    assertTrue(args.flag("subscribe"));
    assertFalse(args.flag("verbose"));
    assertEquals("bench", args.text("org"));
  }

  @Test
  void aFlagBeforeAnotherOptionTakesNoValue() {
    Args args = new Args(new String[] {"--subscribe", "--rate", "500"});
    assertTrue(args.flag("subscribe"));
    assertEquals(500, args.integer("rate", 0));
  }

  @Test
  void aLaterValueOverridesAnEarlierOne() {
    // bench/run appends options to a scenario's shared ones, e.g. --window 1 for e2e's maximum
    Args args = new Args(new String[] {"--window", "4", "--seconds", "15", "--window", "1"});
    assertEquals(1, args.integer("window", 16));
    assertEquals(15, args.integer("seconds", 20));
  }

  @Test
  void refusesMissingRequiredValuesAndStrayWords() {
    assertThrows(IllegalArgumentException.class, () -> new Args(new String[0]).text("port"));
    assertThrows(IllegalArgumentException.class, () -> new Args(new String[] {"stray"}));
  }
}
