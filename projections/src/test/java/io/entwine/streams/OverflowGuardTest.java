package io.entwine.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OverflowGuardTest {
  private static final int OVERFLOWED = -1;
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static List<Integer> run(Source<Integer, ?> source, Duration perElement)
      throws Exception {
    return source
        .via(new OverflowGuard<>(4, OVERFLOWED))
        .throttle(1, perElement)
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void passesEverythingToAClientThatKeepsUp() throws Exception {
    List<Integer> all =
        run(
            Source.from(IntStream.range(0, 20).boxed().toList()).throttle(1, Duration.ofMillis(20)),
            Duration.ofMillis(1));
    assertEquals(IntStream.range(0, 20).boxed().toList(), all);
  }

  @Test
  void dropsWhatWaitsAndEndsWithTheMarkerWhenTheClientFallsBehind() throws Exception {
    List<Integer> received =
        run(Source.from(IntStream.range(0, 100).boxed().toList()), Duration.ofMillis(20));
    assertEquals(OVERFLOWED, received.get(received.size() - 1));
    List<Integer> handed = received.subList(0, received.size() - 1);
    assertTrue(handed.size() < 100, "the client fell behind: " + handed.size());
    assertEquals(IntStream.range(0, handed.size()).boxed().toList(), handed, "in order, no gap");
  }

  @Test
  void anOverflowingSourceEndsWithTheMarkerToo() throws Exception {
    List<Integer> received =
        run(
            Source.<Integer>failed(new BufferOverflowException("full")).prepend(Source.single(7)),
            Duration.ofMillis(1));
    assertEquals(List.of(7, OVERFLOWED), received);
  }

  @Test
  void dropsDroppableElementsFirstAndWithoutEndingTheStream() throws Exception {
    // 1, 5 and 9 must reach the client; the others reach it another way
    List<Integer> mustArrive = List.of(1, 5, 9);
    List<Integer> received =
        Source.from(IntStream.range(0, 20).boxed().toList())
            .via(new OverflowGuard<>(4, OVERFLOWED, n -> !mustArrive.contains(n)))
            .throttle(1, Duration.ofMillis(50))
            .runWith(Sink.seq(), testKit.system())
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertTrue(received.size() < 20, "some were dropped: " + received);
    assertTrue(!received.contains(OVERFLOWED), "dropping droppable ones ends nothing");
    assertEquals(mustArrive, received.stream().filter(mustArrive::contains).toList());
  }
}
