package io.entwine.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.twin.TwinCommand;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cluster sends one authenticated connection, put into its {@link Outbox} through the
 * subscription that selects it: the organization's live messages (an application), the twin's
 * commands and state deltas (a device; a gateway also the commands of the devices it acts for), the
 * rejections of the client's state writes, and what a resumed persistent session collected while
 * its client was away. Confined to the connection's event loop.
 */
final class Deliveries {
  /** Command ids a connection remembers having been handed, so a re-attach sends none twice. */
  static final int REMEMBERED_COMMANDS = 1024;

  private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

  private final MqttSession session;
  private final ClusterLink.Link link;
  private final List<ClusterLink.BufferedMessage> earlyBacklog = new ArrayList<>();
  private final LinkedHashSet<String> commandsSeen = new LinkedHashSet<>();
  private long lastDeltaVersion;

  /** Null until the connection is accepted. */
  private Outbox outbox;

  Deliveries(MqttSession session, ClusterLink.Link link) {
    this.session = session;
    this.link = link;
  }

  /** The connection is accepted: deliveries start, with any backlog that came before. */
  void start(Outbox accepted) {
    outbox = accepted;
    offerBacklog(List.copyOf(earlyBacklog));
    earlyBacklog.clear();
  }

  void offerLive(LiveMessage message) {
    if (outbox == null) {
      return;
    }
    MqttSession.Subscription through = session.deliveringLive(message);
    if (through != null) {
      outbox.offer(
          through.filter(),
          new Outbox.Delivery(
              Topics.topicOf(message),
              Topics.payloadOf(message),
              Topics.deliveryQos(message, through.qos()),
              null));
    }
  }

  void offerBacklog(List<ClusterLink.BufferedMessage> messages) {
    if (outbox == null) {
      // the backlog overtook the session's answer to the claim; it goes out first once accepted
      earlyBacklog.addAll(messages);
      return;
    }
    for (ClusterLink.BufferedMessage message : messages) {
      outbox.offer(
          message.filter(),
          new Outbox.Delivery(
              message.topic(), message.payload(), MqttQoS.valueOf(message.qos()), null));
    }
  }

  /**
   * A command of the device's own twin, or, to a gateway, of its own twin or of a device it acts
   * for (which that device's twin offered the gateway's: docs/adr/0057).
   */
  void offerCommand(TwinCommand.DeliverCommand command) {
    boolean gateway = session.isGateway();
    DeviceKey key = command.device();
    if (outbox == null
        || !(gateway || key.equals(session.principal().twin()))
        || !rememberCommand(command.commandId())) {
      return;
    }
    MqttSession.Subscription through =
        gateway
            ? session.deliveringTo(
                filter -> GatewayTopics.selects(filter, key, command.command(), command.format()))
            : session.deliveringCommand(command.command(), command.format());
    if (through == null) {
      // not subscribed to this command: it stays queued on the twin (HTTP, Hono, a later session)
      log.debug(
          "MQTT {}: no subscription takes command '{}'", session.clientId(), command.command());
      return;
    }
    outbox.offer(
        through.filter(),
        new Outbox.Delivery(
            gateway
                ? GatewayTopics.commandTopic(key, command.command(), command.format())
                : Topics.commandTopic(command.command(), command.format()),
            command.payload(),
            through.qos(),
            () -> link.confirmDelivered(key, command.commandId())));
  }

  /**
   * The device's state delta at {@code version}, through its delta subscription; once per version
   * (the twin's push and the answer to the subscription may bring the same one).
   */
  void offerDelta(long version, JsonNode delta) {
    if (outbox == null || version <= lastDeltaVersion) {
      return;
    }
    MqttSession.Subscription through =
        session.deliveringTo(filter -> filter instanceof Topics.StateDeltaFilter);
    if (through != null) {
      lastDeltaVersion = version;
      outbox.offer(
          through.filter(),
          new Outbox.Delivery(
              Topics.STATE_DELTA, StatePayloads.delta(version, delta), through.qos(), null));
    }
  }

  /** Why a state write of this client for {@code device} was refused, if it subscribed to it. */
  void offerRejection(DeviceKey device, byte[] rejection) {
    if (outbox == null) {
      return;
    }
    MqttSession.Subscription through =
        session.deliveringTo(filter -> Topics.matchesRejection(filter, device.type(), device.id()));
    if (through == null) {
      log.debug("MQTT {}: state write refused, not subscribed to rejections", session.clientId());
      return;
    }
    outbox.offer(
        through.filter(),
        new Outbox.Delivery(
            Topics.stateRejectedTopic(session.isDevice(), device.type(), device.id()),
            rejection,
            through.qos(),
            null));
  }

  /** IBM's notification of this gateway's refused publish, if it subscribed to them. */
  void offerNotice(byte[] notice) {
    if (outbox == null || !(session.principal() instanceof MqttSession.GatewayPrincipal gateway)) {
      return;
    }
    MqttSession.Subscription through =
        session.deliveringTo(filter -> filter instanceof GatewayTopics.NotifyFilter);
    if (through != null) {
      outbox.offer(
          through.filter(),
          new Outbox.Delivery(
              GatewayTopics.notifyTopic(gateway.gateway()), notice, through.qos(), null));
    }
  }

  /** A device management request or response for this device, if it subscribed to it. */
  void offerManagement(ManagedDeviceProtocol.ToDevice message) {
    String topic = message.topic();
    if (outbox == null) {
      return;
    }
    MqttSession.Subscription through =
        session.deliveringTo(filter -> Topics.matchesManagement(filter, topic));
    if (through == null) {
      log.debug("MQTT {}: not subscribed to {}", session.clientId(), topic);
      return;
    }
    outbox.offer(
        through.filter(), new Outbox.Delivery(topic, message.payload(), through.qos(), null));
  }

  /** False when this connection was handed the command already. */
  private boolean rememberCommand(String commandId) {
    if (!commandsSeen.add(commandId)) {
      return false;
    }
    if (commandsSeen.size() > REMEMBERED_COMMANDS) {
      Iterator<String> oldest = commandsSeen.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }
}
