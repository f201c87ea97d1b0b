package io.entwine.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandTableTest {
  sealed interface Shape {}

  record Square(int side) implements Shape {}

  record Circle(int radius) implements Shape {}

  private static final EventTable<Integer, Integer, Shape> AREAS =
      EventTable.<Integer, Integer, Shape>of(Shape.class)
          .on(Square.class, (scale, total, square) -> total + scale * square.side() * square.side())
          .on(Circle.class, (scale, total, circle) -> total + scale * 3 * circle.radius())
          .build();

  @Test
  void findsTheFunctionOfTheValuesClass() {
    assertEquals(4 * 9, AREAS.apply(4, 0, new Square(3)));
    assertEquals(10 + 6, AREAS.apply(1, 10, new Circle(2)));
  }

  @Test
  void refusesATableThatMissesAType() {
    EventTable.Builder<Integer, Integer, Shape> incomplete =
        EventTable.<Integer, Integer, Shape>of(Shape.class).on(Square.class, (x, s, e) -> s);

    IllegalStateException missing = assertThrows(IllegalStateException.class, incomplete::build);

    assertTrue(missing.getMessage().contains("Circle"), missing.getMessage());
  }

  @Test
  void refusesTwoHandlersForOneCommand() {
    CommandTable.Builder<Object, Shape, Object, Object> twice =
        CommandTable.<Object, Shape, Object, Object>of(Shape.class)
            .on(Square.class, (entity, state, command) -> null);

    assertThrows(
        IllegalStateException.class,
        () -> twice.on(Square.class, (entity, state, command) -> null));
  }
}
