package io.entwine.streams;

import java.util.ArrayDeque;
import java.util.function.Predicate;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * A client's bounded buffer for messages pushed at it (the live feed, which cannot be slowed down):
 * it takes them as fast as they come and hands them on as fast as the client reads. When more than
 * {@code capacity} wait, it drops them, stops reading, and ends with {@code overflowed} (also when
 * its upstream failed with a {@link BufferOverflowException}). Elements that are {@code droppable}
 * (they reach the client another way, later) are dropped first, alone, and never end the stream.
 */
public final class OverflowGuard<T> extends GraphStage<FlowShape<T, T>> {
  private final Inlet<T> in = Inlet.create("OverflowGuard.in");
  private final Outlet<T> out = Outlet.create("OverflowGuard.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);
  private final int capacity;
  private final T overflowed;
  private final Predicate<T> droppable;

  public OverflowGuard(int capacity, T overflowed) {
    this(capacity, overflowed, element -> false);
  }

  public OverflowGuard(int capacity, T overflowed, Predicate<T> droppable) {
    this.capacity = capacity;
    this.overflowed = overflowed;
    this.droppable = droppable;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private final ArrayDeque<T> waiting = new ArrayDeque<>();
      private boolean overflow;

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                T element = grab(in);
                if (isAvailable(out) && waiting.isEmpty()) {
                  push(out, element);
                } else if (waiting.size() < capacity) {
                  waiting.add(element);
                } else if (droppable.test(element)) {
                  // dropped: it reaches the client another way
                } else if (waiting.removeIf(new FirstOf<>(droppable))) {
                  waiting.add(element);
                } else {
                  overflow();
                  return;
                }
                pull(in);
              }

              @Override
              public void onUpstreamFinish() {
                if (waiting.isEmpty()) {
                  completeStage();
                }
              }

              @Override
              public void onUpstreamFailure(Throwable failure) {
                if (failure instanceof BufferOverflowException) {
                  overflow();
                } else {
                  failStage(failure);
                }
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                if (!waiting.isEmpty()) {
                  push(out, waiting.poll());
                  if (waiting.isEmpty() && isClosed(in) && !overflow) {
                    completeStage();
                  }
                } else if (overflow) {
                  push(out, overflowed);
                  completeStage();
                }
              }
            });
      }

      @Override
      public void preStart() {
        pull(in);
      }

      private void overflow() {
        overflow = true;
        waiting.clear();
        if (!isClosed(in)) {
          cancel(in);
        }
        if (isAvailable(out)) {
          push(out, overflowed);
          completeStage();
        }
      }
    };
  }

  /** True for the first element {@code droppable} holds for, false after. */
  private static final class FirstOf<T> implements Predicate<T> {
    private final Predicate<T> droppable;
    private boolean found;

    FirstOf(Predicate<T> droppable) {
      this.droppable = droppable;
    }

    @Override
    public boolean test(T element) {
      if (!found && droppable.test(element)) {
        found = true;
        return true;
      }
      return false;
    }
  }
}
