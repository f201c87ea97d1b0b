package io.entwine.twin;

import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who waits at this twin right now; transient like the MQTT session: it lasts as long as this
 * incarnation of the twin. Each waiter names the time it gives up; a waiter past it is never
 * answered. Not thread-safe: only the twin's command handler touches it.
 */
final class CommandWaiters {

  /**
   * A request waiting for a command (Hono {@code hono-ttd}): the device's own (gateway null) or a
   * gateway's request for this device. A device's own request also takes commands that other
   * devices offer it as their gateway.
   */
  record Waiter(String waiterId, DeviceKey gateway, Instant until, ActorRef<Reply> ref) {
    boolean isAliveAt(Instant now) {
      return until.isAfter(now);
    }
  }

  private record ResponseWaiter(ActorRef<Reply> ref, Instant until) {}

  // Among concurrent requests of the device (or of gateways for it), the last one gets the
  // command; so there is one.
  private Waiter current;
  // Both collections are null until first used: every resident twin has a CommandWaiters, few ever
  // wait for anything, and the empty collections cost ≈ 180 bytes a twin (docs/performance.md).
  private Map<String, List<ResponseWaiter>> responseWaiters;
  // The gateway the device last sent through (null: itself, or not known since the twin started).
  private DeviceKey lastVia;
  // Waits this incarnation ended (answered, replaced, stopped): a renewal still on its way must
  // not bring one back, or a command would go to a request that has its answer already.
  private Set<String> ended;
  private static final int REMEMBERED_ENDED_WAITS = 32;
  // The last state version whose delta a waiting request got, so it gets each version once. Boxed
  // and null until first used: a reference fits the object's alignment padding, a long would not.
  private Long deltaVersionHanded;

  /** Makes {@code waiter} the one to get the next command; returns the one it replaces, if any. */
  Waiter replace(Waiter waiter) {
    Waiter previous = current;
    current = waiter;
    endedWait(previous);
    return previous;
  }

  /** Whether {@code waiterId} waits here now or waited here and ended. */
  boolean knows(String waiterId) {
    return (current != null && current.waiterId().equals(waiterId))
        || (ended != null && ended.contains(waiterId));
  }

  private void endedWait(Waiter waiter) {
    if (waiter != null) {
      rememberEnded(waiter.waiterId());
    }
  }

  private void rememberEnded(String waiterId) {
    if (ended == null) {
      ended =
          Collections.newSetFromMap(
              new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > REMEMBERED_ENDED_WAITS;
                }
              });
    }
    ended.add(waiterId);
  }

  /** The waiter that takes the next command, removed; null when nobody waits at {@code now}. */
  Waiter take(Instant now) {
    Waiter waiter = current;
    current = null;
    endedWait(waiter);
    return waiter != null && waiter.isAliveAt(now) ? waiter : null;
  }

  /** A waiter that may take a command another device offers (its own request, still alive). */
  Waiter takeForOffer(Instant now) {
    if (current != null && current.gateway() == null && current.isAliveAt(now)) {
      return take(now);
    }
    return null;
  }

  boolean waitingAt(Instant now) {
    return current != null && current.isAliveAt(now);
  }

  /** Removes the waiter with this id; true when it was still waiting. */
  boolean remove(String waiterId) {
    rememberEnded(waiterId);
    if (current != null && current.waiterId().equals(waiterId)) {
      current = null;
      return true;
    }
    return false;
  }

  void awaitResponse(String commandId, ActorRef<Reply> ref, Instant until) {
    // forget the waits that ended without a response
    Instant now = Instant.now();
    if (responseWaiters == null) {
      responseWaiters = new HashMap<>();
    }
    responseWaiters.values().forEach(waiting -> waiting.removeIf(w -> !w.until().isAfter(now)));
    responseWaiters.values().removeIf(List::isEmpty);
    responseWaiters
        .computeIfAbsent(commandId, id -> new ArrayList<>(1))
        .add(new ResponseWaiter(ref, until));
  }

  /** The applications still waiting at {@code now} for the response to {@code commandId}. */
  List<ActorRef<Reply>> takeResponseWaiters(String commandId, Instant now) {
    List<ResponseWaiter> waiting =
        responseWaiters == null ? null : responseWaiters.remove(commandId);
    if (waiting == null) {
      return List.of();
    }
    return waiting.stream().filter(w -> w.until().isAfter(now)).map(ResponseWaiter::ref).toList();
  }

  boolean hasResponseWaiter(String commandId, Instant now) {
    List<ResponseWaiter> waiting = responseWaiters == null ? null : responseWaiters.get(commandId);
    return waiting != null && waiting.stream().anyMatch(w -> w.until().isAfter(now));
  }

  /** Whether a waiting request got the delta of {@code version} already. */
  boolean handedDelta(long version) {
    return deltaVersionHanded != null && deltaVersionHanded >= version;
  }

  void deltaHanded(long version) {
    deltaVersionHanded = version;
  }

  void sentThrough(DeviceKey gateway) {
    lastVia = gateway;
  }

  DeviceKey lastVia() {
    return lastVia;
  }
}
