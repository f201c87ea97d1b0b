package io.entwine.entity;

import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * An event-sourced entity's command handlers, one per command class (Ditto's
 * ThingCommandStrategies, eclipse-ditto/ditto {@code things/service/.../strategies/commands/}).
 * Kept in a static constant, built once per JVM: an entity instance carries no handler objects,
 * only what its handlers need from it ({@code X}: its id, settings, transient parties).
 *
 * @param <X> what a handler gets from the entity instance it works for
 * @param <C> the sealed command type
 */
public final class CommandTable<X, C, E, S> {

  /** Handles one command class; a method reference to a static method, by convention. */
  @FunctionalInterface
  public interface Handler<X, T, E, S> {
    ReplyEffect<E, S> handle(X entity, S state, T command);
  }

  private final SealedTable<Handler<X, C, E, S>> handlers;

  private CommandTable(SealedTable<Handler<X, C, E, S>> handlers) {
    this.handlers = handlers;
  }

  public static <X, C, E, S> Builder<X, C, E, S> of(Class<C> commandType) {
    return new Builder<>(commandType);
  }

  public ReplyEffect<E, S> handle(X entity, S state, C command) {
    return handlers.of(command).handle(entity, state, command);
  }

  public static final class Builder<X, C, E, S> {
    private final SealedTable.Builder<Handler<X, C, E, S>> table;

    private Builder(Class<C> commandType) {
      table = new SealedTable.Builder<>(commandType);
    }

    public <T extends C> Builder<X, C, E, S> on(Class<T> type, Handler<X, T, E, S> handler) {
      table.put(
          type, (entity, state, command) -> handler.handle(entity, state, type.cast(command)));
      return this;
    }

    /** Fails when a command of the sealed type has no handler. */
    public CommandTable<X, C, E, S> build() {
      return new CommandTable<>(table.build());
    }
  }
}
