package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.mqtt.mgmt.ManagementAccess;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What an MQTT connection needs of the cluster beyond the twins' request/reply calls ({@link
 * TwinAccess}): an address the cluster can send to (live messages, commands, a takeover), the
 * cluster-wide session of its client id, its twin's command queue and the organization's live feed.
 * Production is {@link PekkoClusterLink}; endpoint tests use an in-memory one.
 */
public interface ClusterLink {

  /** Opens the cluster side of one authenticated connection; {@link Link#close()} ends it. */
  Link open(String clientId, Listener listener);

  /** IBM's device management for managed devices' connections, where the cluster has it. */
  default Optional<ManagementAccess> management() {
    return Optional.empty();
  }

  /** Called by the cluster on any thread; implementations hand over to their event loop. */
  interface Listener {
    /** A live message of the organization (an application watching it). */
    void onLive(LiveMessage message);

    /** A command from the device's twin (a device attached to it). */
    void onCommand(TwinCommand.DeliverCommand command);

    /** A state delta from the device's twin (a device attached to it). */
    void onStateDelta(TwinCommand.DeliverStateDelta delta);

    /** Another connection claimed this client id, on this node or another one. */
    void onTakenOver();

    /**
     * Messages a resumed persistent session collected while no connection held it, oldest first;
     * may come in several parts.
     */
    void onBacklog(List<BufferedMessage> messages);
  }

  /**
   * A message kept for an application's persistent session: the subscription that selected it, the
   * topic and payload it goes out with, and its QoS (already the lower of publish and
   * subscription).
   */
  record BufferedMessage(String filter, String topic, byte[] payload, int qos)
      implements CborSerializable {}

  /** A stored subscription of a persistent session: the filter as sent and the granted QoS. */
  record StoredSubscription(String filter, int qos) {}

  /**
   * What a client id's session held when a connection claimed it: {@code present} when a persistent
   * session (clean session false) existed, with its subscriptions.
   */
  record StoredSession(boolean present, List<StoredSubscription> subscriptions) {}

  /** One connection's side in the cluster. */
  interface Link {
    /**
     * Makes this connection the only one of its client id in the cluster: any other is told to
     * close. With {@code cleanSession} the stored session is discarded; without it, it is resumed.
     */
    CompletionStage<StoredSession> claim(boolean cleanSession);

    /** Stores a subscription of a persistent session; Done once stored. */
    CompletionStage<Reply> storeSubscription(String filter, int qos);

    /** Removes a stored subscription of a persistent session; Done once stored. */
    CompletionStage<Reply> removeSubscription(String filter);

    /** Starts receiving the organization's live messages ({@link Listener#onLive}). */
    void watch(String org);

    void unwatch(String org);

    /**
     * Attaches to the device's twin, which then sends every new command ({@link
     * Listener#onCommand}), and with {@code deliverWaiting} the commands already waiting. Done once
     * the twin attached it; kept attached until {@link #detach}.
     */
    CompletionStage<Reply> attach(DeviceKey device, boolean deliverWaiting);

    void detach(DeviceKey device);

    /** The device has the command; its twin records it as delivered. */
    void confirmDelivered(DeviceKey device, String commandId);

    /** Publishes on the organization's live feed (status messages). */
    void publish(LiveMessage message);

    /**
     * The client went away without being taken over: a persistent application session keeps
     * collecting what its subscriptions select, starting with {@code owed} (what this connection
     * had not delivered or had not got acknowledged). Call before {@link #close()}.
     */
    void release(List<BufferedMessage> owed);

    /** The connection is gone: releases its session claim and everything it watched. */
    void close();
  }
}
