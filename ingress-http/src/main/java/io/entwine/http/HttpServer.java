package io.entwine.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/** Binds the API and unbinds it gracefully when the node shuts down. */
public final class HttpServer {
  private static final Duration DRAIN = Duration.ofSeconds(10);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, HttpSettings settings, Route route) {
    return Http.get(system)
        .newServerAt(settings.interfaceName(), settings.port())
        .bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(DRAIN, system));
  }
}
