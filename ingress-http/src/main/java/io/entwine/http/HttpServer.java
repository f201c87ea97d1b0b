package io.entwine.http;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
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

  /** The same routes over TLS, asking clients for a certificate (Hono's X.509 authentication). */
  public static CompletionStage<ServerBinding> startHttps(
      ActorSystem<?> system, HttpsSettings settings, Route route)
      throws IOException, GeneralSecurityException {
    SSLContext context = ServerTls.context(settings);
    return Http.get(system)
        .newServerAt(settings.interfaceName(), settings.port())
        .enableHttps(ConnectionContext.httpsServer(() -> ServerTls.engine(context)))
        .bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(DRAIN, system));
  }
}
