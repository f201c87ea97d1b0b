package io.entwine.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.RouteResult;
import org.apache.pekko.http.javadsl.testkit.RouteTest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.junit.jupiter.api.Assertions;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;

/**
 * pekko-http's Java route testkit ({@link RouteTest}, {@code testRoute(route).run(request)}) on
 * JUnit 5. The testkit's own {@code JUnitRouteTest} is built on JUnit 4 rules and assertions, so
 * this base supplies the actor system and reports through JUnit 5's assertions instead.
 */
public abstract class JUnit5RouteTest extends RouteTest {
  /** Longer than the testkit's 3 s default: a readiness probe may take its whole 3 s timeout. */
  private static final FiniteDuration AWAIT = FiniteDuration.create(10, TimeUnit.SECONDS);

  private final ActorSystem system;
  private final Materializer materializer;

  public JUnit5RouteTest(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    this.system = Adapter.toClassic(system);
    this.materializer = SystemMaterializer.get(system).materializer();
  }

  @Override
  public ActorSystem system() {
    return system;
  }

  @Override
  public Materializer materializer() {
    return materializer;
  }

  @Override
  public FiniteDuration awaitDuration() {
    return AWAIT;
  }

  /**
   * The testkit only waits for a result when it is first inspected, so two requests run one after
   * the other could reach an entity in either order; each request is run to completion here.
   */
  @Override
  public TestRouteResult createTestRouteResultAsync(
      HttpRequest request, Future<RouteResult> result) {
    try {
      Await.ready(result, awaitDuration());
    } catch (TimeoutException e) {
      Assertions.fail("No response within " + awaitDuration() + " to " + request, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new TestRouteResult(result, awaitDuration(), system.dispatcher(), materializer) {
      @Override
      public void fail(String message) {
        Assertions.fail(message);
      }

      @Override
      public void assertEquals(Object expected, Object actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertEquals(int expected, int actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertTrue(boolean predicate, String message) {
        Assertions.assertTrue(predicate, message);
      }
    };
  }
}
