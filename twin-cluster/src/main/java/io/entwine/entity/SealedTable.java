package io.entwine.entity;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One function per concrete class of a sealed type, found by the class of the value at hand. Built
 * once and checked complete then: a command or event added to the sealed type without its function
 * fails the entity's class initialisation, in every test, instead of a message at run time.
 */
final class SealedTable<F> {
  private final Map<Class<?>, F> byClass;

  private SealedTable(Map<Class<?>, F> byClass) {
    this.byClass = byClass;
  }

  F of(Object value) {
    return byClass.get(value.getClass());
  }

  static final class Builder<F> {
    private final Class<?> sealedType;
    private final Map<Class<?>, F> byClass = new HashMap<>();

    Builder(Class<?> sealedType) {
      this.sealedType = sealedType;
    }

    void put(Class<?> type, F function) {
      if (byClass.putIfAbsent(type, function) != null) {
        throw new IllegalStateException(type.getName() + " has two entries in its table");
      }
    }

    SealedTable<F> build() {
      Set<Class<?>> missing =
          concreteClasses(sealedType)
              .filter(type -> !byClass.containsKey(type))
              .collect(Collectors.toSet());
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            sealedType.getName() + " has types without an entry in its table: " + missing);
      }
      return new SealedTable<>(Map.copyOf(byClass));
    }

    private static Stream<Class<?>> concreteClasses(Class<?> type) {
      Class<?>[] permitted = type.getPermittedSubclasses();
      return permitted == null
          ? Stream.of(type)
          : Stream.of(permitted).flatMap(Builder::concreteClasses);
    }
  }
}
