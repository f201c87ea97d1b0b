package io.entwine.http.server;

import io.entwine.ingress.ConnectionsPerAddress;
import java.net.InetAddress;
import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.impl.engine.server.HttpAttributes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Sits between one HTTP connection and the routes, materialized once per connection, and closes the
 * connection (by completing) when its client address already holds {@code
 * max-connections-per-address} connections, or when it has waited {@code request-header-timeout}
 * for a complete request head — after opening, or after its last response.
 *
 * <p>pekko-http 1.3 has no header-read timeout: its idle-timeout counts any byte, so a client
 * trickling one header line every few seconds holds a connection for good, and enough of them take
 * every connection of the listener (issue 23). It hands a request on only once its head is
 * complete, which is what this stage waits for. It learns the client's address from the attribute
 * pekko-http sets on each connection's stages when {@code remote-address-attribute} is on (an
 * internal class: {@code HttpEdgeTest} fails if an upgrade moves it).
 */
final class ConnectionGuard
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private static final String HEAD_TIMER = "request-head";

  private final Inlet<HttpRequest> fromClient = Inlet.create("ConnectionGuard.fromClient");
  private final Outlet<HttpRequest> toRoutes = Outlet.create("ConnectionGuard.toRoutes");
  private final Inlet<HttpResponse> fromRoutes = Inlet.create("ConnectionGuard.fromRoutes");
  private final Outlet<HttpResponse> toClient = Outlet.create("ConnectionGuard.toClient");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(fromClient, toRoutes, fromRoutes, toClient);

  private final Duration headerTimeout;
  private final ConnectionsPerAddress perAddress;

  private ConnectionGuard(Duration headerTimeout, ConnectionsPerAddress perAddress) {
    this.headerTimeout = headerTimeout;
    this.perAddress = perAddress;
  }

  /**
   * {@code handler} behind a guard counting its connections in {@code perAddress}, which all its
   * connections share.
   */
  static Flow<HttpRequest, HttpResponse, NotUsed> around(
      Flow<HttpRequest, HttpResponse, NotUsed> handler,
      ConnectionSettings settings,
      ConnectionsPerAddress perAddress) {
    return BidiFlow.fromGraph(new ConnectionGuard(settings.requestHeaderTimeout(), perAddress))
        .join(handler);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    InetAddress client =
        attributes
            .getAttribute(HttpAttributes.RemoteAddress.class)
            .map(remote -> remote.address().getAddress())
            .orElse(null);
    return new Logic(client, attributes.getAttribute(ProtocolSwitch.class).orElse(null));
  }

  private final class Logic extends TimerGraphStageLogic {
    private final InetAddress client;
    private final ProtocolSwitch protocolSwitch;
    private boolean counted;
    private int inFlight;

    Logic(InetAddress client, ProtocolSwitch protocolSwitch) {
      super(shape);
      this.client = client;
      this.protocolSwitch = protocolSwitch;
      setHandler(
          fromClient,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              cancelTimer(HEAD_TIMER);
              inFlight++;
              push(toRoutes, grab(fromClient));
            }

            @Override
            public void onUpstreamFinish() {
              complete(toRoutes);
            }
          });
      setHandler(
          toRoutes,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(fromClient);
            }
          });
      setHandler(
          fromRoutes,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              HttpResponse response = grab(fromRoutes);
              inFlight--;
              boolean switching = response.status().intValue() == 101;
              if (switching && protocolSwitch != null) {
                protocolSwitch.switched(); // before the client can read the 101 and send frames
              }
              push(toClient, response);
              // A streamed response (an event stream) may outlast any timeout, and after a 101 the
              // connection speaks another protocol; idle-timeout still bounds both.
              if (inFlight == 0 && response.entity().isStrict() && !switching) {
                awaitHead();
              }
            }
          });
      setHandler(
          toClient,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(fromRoutes);
            }
          });
    }

    @Override
    public void preStart() {
      if (client != null) {
        if (!perAddress.tryOpen(client)) {
          completeStage();
          return;
        }
        counted = true;
      }
      awaitHead();
    }

    @Override
    public void postStop() {
      if (counted) {
        perAddress.closed(client);
      }
    }

    @Override
    public void onTimer(Object key) {
      completeStage();
    }

    private void awaitHead() {
      scheduleOnce(HEAD_TIMER, headerTimeout);
    }
  }
}
