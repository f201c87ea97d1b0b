package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mqtt.mgmt.ManagementAccess;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The cluster in one process, for endpoint tests: sessions by client id (with takeover), a live
 * feed per organization, twins that remember the attached connection and their waiting commands,
 * and a record of everything published and confirmed. Thread-safe by one lock.
 */
final class LocalClusterLink implements ClusterLink {
  record Attach(DeviceKey device, boolean deliverWaiting) {}

  private static final class Session {
    Listener holder;
    boolean persistent;
    final Map<String, Integer> subscriptions = new LinkedHashMap<>();
    final List<BufferedMessage> kept = new ArrayList<>();
  }

  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Map<String, List<Listener>> watchers = new LinkedHashMap<>();
  private final Map<DeviceKey, Listener> attachedTo = new LinkedHashMap<>();
  private final Map<DeviceKey, List<TwinCommand.DeliverCommand>> waiting = new LinkedHashMap<>();
  final List<LiveMessage> published = new CopyOnWriteArrayList<>();
  final List<String> confirmed = new CopyOnWriteArrayList<>();
  final List<Attach> attaches = new CopyOnWriteArrayList<>();

  /** Devices whose management was opened; every ask of their entity answers Done. */
  final List<DeviceKey> managed = new CopyOnWriteArrayList<>();

  private boolean withManagement;

  /** The cluster has IBM's device management, with entities that accept every request. */
  LocalClusterLink withManagement() {
    withManagement = true;
    return this;
  }

  @Override
  public Optional<ManagementAccess> management() {
    if (!withManagement) {
      return Optional.empty();
    }
    return Optional.of(
        (device, toDevice) -> {
          managed.add(device);
          return new ManagementAccess.Session() {
            @Override
            public ActorRef<ManagedDeviceProtocol.ToDevice> address() {
              return null;
            }

            @Override
            public CompletionStage<Reply> ask(
                Function<ActorRef<Reply>, ManagedDeviceProtocol.Command> command) {
              return CompletableFuture.completedFuture(new Reply.Done());
            }

            @Override
            public void close() {}
          };
        });
  }

  @Override
  public Link open(String clientId, Listener listener) {
    return new LocalLink(clientId, listener);
  }

  /** Publishes on the organization's feed, as a twin does after persisting. */
  void feed(LiveMessage message) {
    List<Listener> targets;
    synchronized (this) {
      published.add(message);
      targets = new ArrayList<>(watchers.getOrDefault(message.org(), List.of()));
    }
    targets.forEach(listener -> listener.onLive(message));
  }

  /** Queues a command on the twin: handed to the attached connection, or kept waiting. */
  void queue(DeviceKey device, String commandId, String command, String format, byte[] payload) {
    TwinCommand.DeliverCommand deliver =
        new TwinCommand.DeliverCommand(device, commandId, command, format, payload);
    Listener target;
    synchronized (this) {
      if (!confirmed.contains(commandId)) {
        waiting.computeIfAbsent(device, d -> new ArrayList<>()).add(deliver);
      }
      target = attachedTo.get(device);
    }
    if (target != null) {
      target.onCommand(deliver);
    }
  }

  /** Hands {@code command} to the connection attached to {@code twin}'s twin, as it is. */
  void handTo(DeviceKey twin, TwinCommand.DeliverCommand command) {
    attached(twin).onCommand(command);
  }

  /** {@code twin} pushes a state delta to the connection attached to it. */
  void handTo(DeviceKey twin, TwinCommand.DeliverStateDelta delta) {
    attached(twin).onStateDelta(delta);
  }

  private synchronized Listener attached(DeviceKey twin) {
    return attachedTo.get(twin);
  }

  /** Another connection (on "another node") claims {@code clientId}: the holder is told. */
  void claimElsewhere(String clientId) {
    Listener holder;
    synchronized (this) {
      Session session = sessions.computeIfAbsent(clientId, id -> new Session());
      holder = session.holder;
      session.holder = null;
    }
    if (holder != null) {
      holder.onTakenOver();
    }
  }

  synchronized Map<String, Integer> storedSubscriptions(String clientId) {
    Session session = sessions.get(clientId);
    return session == null ? Map.of() : Map.copyOf(session.subscriptions);
  }

  synchronized boolean isAttached(DeviceKey device) {
    return attachedTo.containsKey(device);
  }

  synchronized boolean isWatched(String org) {
    return !watchers.getOrDefault(org, List.of()).isEmpty();
  }

  /** The first published message matching {@code which} within {@code timeout}, or null. */
  LiveMessage awaitPublished(Duration timeout, Predicate<LiveMessage> which)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (LiveMessage message : published) {
        if (which.test(message)) {
          return message;
        }
      }
      Thread.sleep(10);
    }
    return null;
  }

  boolean awaitConfirmed(Duration timeout, String commandId) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (confirmed.contains(commandId)) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  private final class LocalLink implements Link {
    private final String clientId;
    private final Listener listener;

    LocalLink(String clientId, Listener listener) {
      this.clientId = clientId;
      this.listener = listener;
    }

    @Override
    public CompletionStage<StoredSession> claim(boolean cleanSession) {
      Listener previous;
      StoredSession stored;
      List<BufferedMessage> backlog;
      synchronized (LocalClusterLink.this) {
        Session session = sessions.computeIfAbsent(clientId, id -> new Session());
        previous = session.holder;
        boolean present = !cleanSession && session.persistent;
        List<StoredSubscription> subscriptions = new ArrayList<>();
        if (present) {
          session.subscriptions.forEach((f, q) -> subscriptions.add(new StoredSubscription(f, q)));
        } else {
          session.subscriptions.clear();
        }
        session.persistent = !cleanSession;
        session.holder = listener;
        stored = new StoredSession(present, subscriptions);
        backlog = present ? List.copyOf(session.kept) : List.of();
        session.kept.clear();
      }
      if (previous != null && previous != listener) {
        previous.onTakenOver();
      }
      if (!backlog.isEmpty()) {
        listener.onBacklog(backlog);
      }
      return CompletableFuture.completedFuture(stored);
    }

    @Override
    public CompletionStage<Reply> storeSubscription(String filter, int qos) {
      synchronized (LocalClusterLink.this) {
        Session session = sessions.get(clientId);
        if (session.holder == listener && session.persistent) {
          session.subscriptions.put(filter, qos);
        }
      }
      return CompletableFuture.completedFuture(new Reply.Done());
    }

    @Override
    public CompletionStage<Reply> removeSubscription(String filter) {
      synchronized (LocalClusterLink.this) {
        Session session = sessions.get(clientId);
        if (session.holder == listener) {
          session.subscriptions.remove(filter);
        }
      }
      return CompletableFuture.completedFuture(new Reply.Done());
    }

    @Override
    public void release(List<BufferedMessage> owed) {
      synchronized (LocalClusterLink.this) {
        Session session = sessions.get(clientId);
        if (session != null && session.holder == listener && session.persistent) {
          session.kept.addAll(owed);
        }
      }
    }

    @Override
    public void watch(String org) {
      synchronized (LocalClusterLink.this) {
        watchers.computeIfAbsent(org, o -> new CopyOnWriteArrayList<>()).add(listener);
      }
    }

    @Override
    public void unwatch(String org) {
      synchronized (LocalClusterLink.this) {
        watchers.getOrDefault(org, new ArrayList<>()).remove(listener);
      }
    }

    @Override
    public CompletionStage<Reply> attach(DeviceKey device, boolean deliverWaiting) {
      List<TwinCommand.DeliverCommand> toDeliver;
      synchronized (LocalClusterLink.this) {
        attaches.add(new Attach(device, deliverWaiting));
        attachedTo.put(device, listener);
        toDeliver =
            deliverWaiting ? new ArrayList<>(waiting.getOrDefault(device, List.of())) : List.of();
      }
      toDeliver.forEach(listener::onCommand);
      return CompletableFuture.completedFuture(new Reply.Done());
    }

    @Override
    public void detach(DeviceKey device) {
      synchronized (LocalClusterLink.this) {
        attachedTo.remove(device, listener);
      }
    }

    @Override
    public void confirmDelivered(DeviceKey device, String commandId) {
      synchronized (LocalClusterLink.this) {
        confirmed.add(commandId);
        List<TwinCommand.DeliverCommand> queue = waiting.get(device);
        if (queue != null) {
          queue.removeIf(c -> c.commandId().equals(commandId));
        }
      }
    }

    @Override
    public void publish(LiveMessage message) {
      feed(message);
    }

    @Override
    public void close() {
      synchronized (LocalClusterLink.this) {
        watchers.values().forEach(list -> list.remove(listener));
        attachedTo.values().removeIf(l -> l == listener);
      }
    }
  }
}
