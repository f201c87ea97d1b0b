package io.entwine.entity;

/**
 * How each event class changes an entity's state, one function per event class, built once per JVM
 * like {@link CommandTable}: the state's {@code apply(event)} is one lookup, not a chain of {@code
 * instanceof}.
 *
 * @param <X> what every change may read besides the state and the event (e.g. settings)
 * @param <E> the sealed event type
 */
public final class EventTable<X, S, E> {

  /** Applies one event class. */
  @FunctionalInterface
  public interface Change<X, S, T> {
    S apply(X context, S state, T event);
  }

  private final SealedTable<Change<X, S, E>> changes;

  private EventTable(SealedTable<Change<X, S, E>> changes) {
    this.changes = changes;
  }

  public static <X, S, E> Builder<X, S, E> of(Class<E> eventType) {
    return new Builder<>(eventType);
  }

  public S apply(X context, S state, E event) {
    return changes.of(event).apply(context, state, event);
  }

  public static final class Builder<X, S, E> {
    private final SealedTable.Builder<Change<X, S, E>> table;

    private Builder(Class<E> eventType) {
      table = new SealedTable.Builder<>(eventType);
    }

    public <T extends E> Builder<X, S, E> on(Class<T> type, Change<X, S, T> change) {
      table.put(type, (context, state, event) -> change.apply(context, state, type.cast(event)));
      return this;
    }

    /** Fails when an event of the sealed type has no change. */
    public EventTable<X, S, E> build() {
      return new EventTable<>(table.build());
    }
  }
}
