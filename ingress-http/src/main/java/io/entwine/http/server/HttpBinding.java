package io.entwine.http.server;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.HttpConnectionIdleTimeoutBidi$;
import org.apache.pekko.http.impl.engine.server.GracefulTerminatorStage$;
import org.apache.pekko.http.impl.engine.server.HttpAttributes$;
import org.apache.pekko.http.impl.engine.server.MasterServerTerminator;
import org.apache.pekko.http.impl.engine.server.ServerTerminator;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.scaladsl.Http$;
import org.apache.pekko.http.scaladsl.HttpExt;
import org.apache.pekko.http.scaladsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.TLSProtocol.SessionBytes;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;
import scala.concurrent.ExecutionContextExecutor;
import scala.jdk.javaapi.FutureConverters;

/**
 * Binds a listener as pekko-http 1.3's {@code bindFlow} does ({@code HttpExt.bindAndHandle}: the
 * same stages per connection, the same connection limit, graceful termination and binding), with
 * one stage more: {@link RequestFraming}, between TLS and pekko's HTTP layer, where a connection's
 * request bytes are plain text on HTTP and HTTPS alike, until the routes switch the connection to
 * another protocol ({@link ProtocolSwitch}). pekko-http offers no place for a stage there, so this
 * class assembles the connection itself from pekko's parts, three of them internal ({@code
 * GracefulTerminatorStage}, {@code MasterServerTerminator}, {@code HttpConnectionIdleTimeoutBidi});
 * {@code HttpEdgeTest} fails if an upgrade changes them (ADR 0047).
 */
final class HttpBinding {
  /**
   * Runs the per-connection continuations where their stage completes: the stages are Pekko's,
   * whose continuations without an executor each run on the JDK's default async pool, a new thread
   * per task on 2 cores (docs/performance.md, "The stack measured bare").
   */
  private static final Executor SAME_THREAD = Runnable::run;

  private HttpBinding() {}

  static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system,
      String interfaceName,
      int port,
      ConnectionContext context,
      org.apache.pekko.http.javadsl.settings.ServerSettings javaSettings,
      Flow<
              org.apache.pekko.http.javadsl.model.HttpRequest,
              org.apache.pekko.http.javadsl.model.HttpResponse,
              NotUsed>
          handler) {
    // pekko's settings and models are Scala classes behind the Java API's abstract ones
    ServerSettings settings = (ServerSettings) javaSettings;
    LoggingAdapter log = system.classicSystem().log();
    ExecutionContextExecutor executor = system.executionContext();
    Flow<ByteString, ByteString, Pair<CompletionStage<Done>, ServerTerminator>> connection =
        watched(handler).joinMat(layers(system, context, settings, log), Keep.both());
    MasterServerTerminator terminator = new MasterServerTerminator(log);
    Attributes cancellation =
        Http$.MODULE$.cancellationStrategyAttributeForDelay(settings.streamCancellationDelay());
    return Tcp.get(system)
        .bind(
            interfaceName,
            port,
            settings.backlog(),
            javaSettings.getSocketOptions(),
            false,
            Optional.empty()) // pekko-http's idle timeout counts, not TCP's
        .mapAsyncUnordered(
            settings.maxConnections(),
            incoming ->
                connection
                    .watchTermination(
                        (materialized, terminated) -> {
                          terminated.whenCompleteAsync(
                              (done, failure) -> terminator.removeConnection(materialized.second()),
                              SAME_THREAD);
                          return materialized;
                        })
                    .addAttributes(HttpAttributes$.MODULE$.remoteAddress(incoming.remoteAddress()))
                    .addAttributes(Attributes.apply(new ProtocolSwitch()))
                    .join(incoming.flow())
                    .mapMaterializedValue(
                        materialized -> {
                          terminator.registerConnection(materialized.second(), executor);
                          return materialized.first();
                        })
                    .addAttributes(cancellation)
                    .run(system)
                    // a connection's own failure (a reset, a timeout) ends only that connection
                    .exceptionally(failure -> Done.getInstance()))
        .to(Sink.ignore())
        .run(system)
        .thenApply(
            tcp ->
                new ServerBinding(
                    new org.apache.pekko.http.scaladsl.Http.ServerBinding(
                        tcp.localAddress(),
                        () -> FutureConverters.asScala(tcp.unbind()),
                        deadline -> terminator.terminate(deadline, executor))));
  }

  /**
   * The handler, completing its materialized value once it has ended in both directions: what
   * pekko-http waits for before it counts a connection as closed.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Flow<HttpRequest, HttpResponse, CompletionStage<Done>> watched(
      Flow<
              org.apache.pekko.http.javadsl.model.HttpRequest,
              org.apache.pekko.http.javadsl.model.HttpResponse,
              NotUsed>
          handler) {
    // every Java API request and response is one of pekko's Scala models
    Flow<HttpRequest, HttpResponse, NotUsed> scalaTyped = (Flow) handler;
    return Flow.<HttpRequest>create()
        .watchTermination(Keep.right())
        .via(scalaTyped)
        .watchTermination((before, after) -> before.thenComposeAsync(done -> after, SAME_THREAD));
  }

  /** pekko-http's server stack for one connection, {@link RequestFraming} under its parser. */
  private static BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, ServerTerminator>
      layers(
          ActorSystem<?> system,
          ConnectionContext context,
          ServerSettings settings,
          LoggingAdapter log) {
    HttpExt http = (HttpExt) Http$.MODULE$.get(system.classicSystem());
    BidiFlow<HttpResponse, HttpResponse, HttpRequest, HttpRequest, ServerTerminator> terminator =
        GracefulTerminatorStage$.MODULE$
            .apply(system.classicSystem(), settings)
            .<HttpResponse, HttpResponse, HttpRequest, HttpRequest, ServerTerminator>asJava();
    BidiFlow<HttpResponse, SslTlsOutbound, SslTlsInbound, HttpRequest, NotUsed> http11 =
        http.serverLayer(settings, scala.Option.empty(), log, context.isSecure())
            .<HttpResponse, SslTlsOutbound, SslTlsInbound, HttpRequest, NotUsed>asJava();
    BidiFlow<SslTlsOutbound, SslTlsOutbound, SslTlsInbound, SslTlsInbound, NotUsed> framing =
        BidiFlow.fromFlows(Flow.<SslTlsOutbound>create(), Flow.fromGraph(new Framing()));
    BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed> tls =
        http.sslTlsServerStage((org.apache.pekko.http.scaladsl.ConnectionContext) context)
            .<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed>asJava();
    BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> idleTimeout =
        HttpConnectionIdleTimeoutBidi$.MODULE$
            .apply(settings.timeouts().idleTimeout(), scala.Option.empty())
            .<ByteString, ByteString, ByteString, ByteString, NotUsed>asJava();
    return terminator.atop(http11).atop(framing).atop(tls).atop(idleTimeout);
  }

  /** {@link RequestFraming} over a connection's decrypted input. */
  private static final class Framing extends GraphStage<FlowShape<SslTlsInbound, SslTlsInbound>> {
    private final Inlet<SslTlsInbound> in = Inlet.create("RequestFraming.in");
    private final Outlet<SslTlsInbound> out = Outlet.create("RequestFraming.out");
    private final FlowShape<SslTlsInbound, SslTlsInbound> shape = FlowShape.of(in, out);

    @Override
    public FlowShape<SslTlsInbound, SslTlsInbound> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      RequestFraming framing = new RequestFraming();
      ProtocolSwitch protocolSwitch = attributes.getAttribute(ProtocolSwitch.class).orElse(null);
      return new GraphStageLogic(shape) {
        {
          setHandler(
              in,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  SslTlsInbound element = grab(in);
                  if (protocolSwitch != null && protocolSwitch.happened()) {
                    framing.protocolSwitched();
                  }
                  if (element instanceof SessionBytes bytes) {
                    ByteString passed = framing.next(bytes.bytes());
                    if (passed.isEmpty()) {
                      pull(in);
                    } else {
                      push(
                          out,
                          passed == bytes.bytes()
                              ? bytes
                              : new SessionBytes(bytes.session(), passed));
                    }
                  } else {
                    push(out, element);
                  }
                }
              });
          setHandler(
              out,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(in);
                }
              });
        }
      };
    }
  }
}
