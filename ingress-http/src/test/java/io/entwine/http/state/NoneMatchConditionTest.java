package io.entwine.http.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** If-None-Match as RFC 9110 writes it: {@code *} or a list of (weak or strong) entity tags. */
class NoneMatchConditionTest {
  @Test
  void starAndTagListsNameVersions() {
    NoneMatchCondition any = NoneMatchCondition.parse(" * ").orElseThrow();
    assertTrue(any.matches(4, true));
    assertFalse(any.matches(4, false), "* needs desired state to exist");

    NoneMatchCondition tags =
        NoneMatchCondition.parse("\"3\", W/\"5\",\"abc\" ,\"x,y\"").orElseThrow();
    assertEquals(Set.of(3L, 5L), tags.versions());
    assertTrue(tags.matches(5, true));
    assertFalse(tags.matches(4, true));
    assertEquals(
        Set.of(), NoneMatchCondition.parse("\"99999999999999999999\"").orElseThrow().versions());
  }

  @Test
  void anythingElseIsMalformed() {
    for (String malformed :
        new String[] {"", "3", "\"3", "\"3\" \"4\"", "\"3\",", "w/\"3\"", "*, \"3\"", "\"a b\""}) {
      assertEquals(Optional.empty(), NoneMatchCondition.parse(malformed), malformed);
    }
  }
}
