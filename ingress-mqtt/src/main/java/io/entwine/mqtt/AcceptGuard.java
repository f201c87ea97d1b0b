package io.entwine.mqtt;

import io.entwine.ingress.ConnectionsPerAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Future;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.impl.MqttServerImpl;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Bounds the MQTT connections of one client address over all listeners at the moment a socket is
 * accepted, before anything is read from it: an address holding {@code max-connections-per-address}
 * connections has the new one closed at once.
 *
 * <p>Vert.x MQTT 4.5 hands a connection to Entwine only once its CONNECT is decoded (or closes it
 * after {@code connect-timeout} without one), and has no public hook on accepted sockets; so this
 * handler joins the pipeline of the listening Netty channel, through which Netty passes every
 * accepted socket before registering it. The channel is reached through three private fields;
 * {@link #check()} runs at start-up so that a Vert.x upgrade that changes them fails the node's
 * start, not a connection. Replace with Vert.x's API if it gains one.
 */
final class AcceptGuard {
  private static final String ACCEPTOR = "entwine-accept-guard";
  private static final Field SERVER = field(MqttServerImpl.class, "server");
  private static final Field ACTUAL_SERVER = field(TCPServerBase.class, "actualServer");
  private static final Field BIND_FUTURE = field(TCPServerBase.class, "bindFuture");

  private final ConnectionsPerAddress perAddress;
  private final Acceptor acceptor = new Acceptor();

  AcceptGuard(MqttSettings settings) {
    this.perAddress = new ConnectionsPerAddress(settings.maxConnectionsPerAddress());
  }

  /** Fails when this Vert.x version does not have the fields the guard relies on. */
  static void check() {
    if (!TCPServerBase.class.isAssignableFrom(ACTUAL_SERVER.getType())
        || !Future.class.isAssignableFrom(BIND_FUTURE.getType())) {
      throw new IllegalStateException("Vert.x's TCPServerBase changed; see AcceptGuard");
    }
  }

  /**
   * Guards the listening channel of a bound {@code server}. Instances sharing a port share its
   * channel, which is guarded once.
   */
  void install(MqttServer server) {
    Channel listening = listeningChannel(server);
    synchronized (listening) {
      if (listening.pipeline().get(ACCEPTOR) == null) {
        listening.pipeline().addFirst(ACCEPTOR, acceptor);
      }
    }
  }

  private static Channel listeningChannel(MqttServer server) {
    try {
      Object net = SERVER.get(server);
      Object actual = ACTUAL_SERVER.get(net);
      Future<?> bound = (Future<?>) BIND_FUTURE.get(actual == null ? net : actual);
      return (Channel) bound.result();
    } catch (IllegalAccessException | ClassCastException | NullPointerException e) {
      throw new IllegalStateException("Cannot reach the listening channel of Vert.x MQTT", e);
    }
  }

  private static Field field(Class<?> owner, String name) {
    try {
      Field field = owner.getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(
          owner.getName() + " has no '" + name + "' field any more; see AcceptGuard", e);
    }
  }

  /** Sees each accepted socket, on the listening channel's event loop. */
  @ChannelHandler.Sharable
  private final class Acceptor extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (message instanceof Channel accepted
          && accepted.remoteAddress() instanceof InetSocketAddress remote) {
        InetAddress address = remote.getAddress();
        if (!perAddress.tryOpen(address)) {
          accepted.unsafe().closeForcibly();
          return;
        }
        accepted.closeFuture().addListener(closed -> perAddress.closed(address));
      }
      ctx.fireChannelRead(message);
    }
  }
}
