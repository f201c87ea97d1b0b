package io.entwine.http.server;

import io.entwine.ingress.ConnectionsPerAddress;
import io.entwine.metrics.Meters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Binds the API and unbinds it gracefully when the node shuts down. Every connection passes a
 * {@link ConnectionGuard} (slow request heads, connections per address; the total is pekko-http's
 * {@code max-connections}) and, below pekko's parser, {@link RequestFraming} ({@link HttpBinding}).
 */
public final class HttpServer {
  /** Open connections per listener, as the {@link ConnectionGuard} counts them. */
  public static final String CONNECTIONS = "entwine.http.connections";

  private static final Duration DRAIN = Duration.ofSeconds(10);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, HttpSettings settings, Route route) {
    return bind(
        system, settings.interfaceName(), settings.port(), ConnectionContext.noEncryption(), route);
  }

  /** The same routes over TLS, asking clients for a certificate (Hono's X.509 authentication). */
  public static CompletionStage<ServerBinding> startHttps(
      ActorSystem<?> system, HttpsSettings settings, Route route)
      throws IOException, GeneralSecurityException {
    SSLContext context = ServerTls.context(settings);
    return bind(
        system,
        settings.interfaceName(),
        settings.port(),
        ConnectionContext.httpsServer(() -> ServerTls.engine(context)),
        route);
  }

  private static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system,
      String interfaceName,
      int port,
      ConnectionContext context,
      Route route) {
    ConnectionSettings connections = ConnectionSettings.from(system.settings().config());
    // The guard needs each connection's client address.
    ServerSettings server =
        ServerSettings.create(system.settings().config()).withRemoteAddressAttribute(true);
    Function<HttpRequest, CompletionStage<HttpResponse>> routes = route.handler(system);
    MeterRegistry registry = Meters.registry(system);
    ConnectionsPerAddress perAddress =
        new ConnectionsPerAddress(connections.maxConnectionsPerAddress());
    Gauge.builder(CONNECTIONS, perAddress, ConnectionsPerAddress::total)
        .description("Open HTTP connections on this node, per listener")
        .tag("listener", context.isSecure() ? "https" : "http")
        .strongReference(true)
        .register(registry);
    HttpRequestMeters meters = new HttpRequestMeters(registry);
    Function<HttpRequest, CompletionStage<HttpResponse>> handler =
        request -> {
          long start = System.nanoTime();
          return timed(meters, request, start, handle(routes, request));
        };
    Flow<HttpRequest, HttpResponse, NotUsed> flow =
        Flow.of(HttpRequest.class).mapAsync(server.getPipeliningLimit(), handler);
    return HttpBinding.bind(
            system,
            interfaceName,
            port,
            context,
            server,
            ConnectionGuard.around(flow, connections, perAddress))
        .thenApply(binding -> binding.addToCoordinatedShutdown(DRAIN, system));
  }

  /**
   * Records the request's duration until its response (headers; a stream's body may go on) once it
   * completes, on the completing thread.
   */
  private static CompletionStage<HttpResponse> timed(
      HttpRequestMeters meters,
      HttpRequest request,
      long start,
      CompletionStage<HttpResponse> response) {
    // on the completing thread: the routes' future is Pekko's, whose whenComplete would run on
    // the JDK's default async pool (a new thread per request on 2 cores)
    return response.whenCompleteAsync(
        (answer, failure) ->
            meters.record(request, answer == null ? 500 : answer.status().intValue(), start),
        Runnable::run);
  }

  /**
   * The routes' answer. A {@link LinkageError} (a class missing from the node's classpath) thrown
   * while building it is fatal to pekko, which would stop the whole node for one request; it is
   * answered here instead, with one clear log line ({@link EntwineRoutes#responseFor}).
   */
  private static CompletionStage<HttpResponse> handle(
      Function<HttpRequest, CompletionStage<HttpResponse>> routes, HttpRequest request)
      throws Exception {
    try {
      return routes.apply(request);
    } catch (LinkageError e) {
      return CompletableFuture.completedFuture(EntwineRoutes.responseFor(e));
    }
  }
}
