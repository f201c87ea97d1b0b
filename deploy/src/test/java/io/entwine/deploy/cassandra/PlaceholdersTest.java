package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {

  @Test
  void fillsEveryOccurrenceLiterally() {
    assertEquals("a $1 b $1", Placeholders.fill("a ${x} b ${x}", Map.of("x", "$1")));
  }

  @Test
  void rejectsAPlaceholderWithoutValue() {
    IllegalArgumentException failure =
        assertThrows(
            IllegalArgumentException.class,
            () -> Placeholders.fill("${keyspcae}", Map.of("keyspace", "k")));
    assertEquals(true, failure.getMessage().contains("keyspcae"));
  }
}
