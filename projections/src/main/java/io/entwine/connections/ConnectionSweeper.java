package io.entwine.connections;

import io.entwine.connections.ConnectionOwners.Incarnation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews this node's lease on the connections it holds and records as ended the connections of node
 * incarnations that are gone (docs/adr/0070). An incarnation is gone when a member with its address
 * but another uid is in the cluster (the node restarted), or when it is no member and its lease ran
 * out (the node crashed or left, and was removed). A lease alone decides nothing for a member: a
 * node cut off from Cassandra may still hold its connections. Every node sweeps; a sweep writes the
 * same records whoever does it.
 */
public final class ConnectionSweeper {
  private static final Logger log = LoggerFactory.getLogger(ConnectionSweeper.class);

  private ConnectionSweeper() {}

  private enum Tick {
    TICK,
    DONE
  }

  /** This node's incarnation: its cluster address and uid. */
  public static String incarnation(ActorSystem<?> system) {
    return incarnation(Cluster.get(system).selfMember().uniqueAddress());
  }

  static String incarnation(UniqueAddress member) {
    return member.address() + "#" + member.longUid();
  }

  /** Renews the lease and sweeps every third of {@code lease}. */
  public static void start(ActorSystem<?> system, ConnectionOwners owners, Duration lease) {
    system.systemActorOf(behavior(owners, lease), "connection-sweeper", Props.empty());
  }

  private static Behavior<Tick> behavior(ConnectionOwners owners, Duration lease) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.TICK, lease.dividedBy(3));
                  return Behaviors.receiveMessage(
                      tick -> {
                        if (tick == Tick.TICK) {
                          // a round at a time: the timer's ticks meanwhile are dropped
                          timers.cancel(Tick.TICK);
                          context.pipeToSelf(
                              round(context.getSystem(), owners, lease),
                              (done, failure) -> {
                                if (failure != null) {
                                  log.warn(
                                      "Sweeping the connections of stopped nodes failed: {}",
                                      failure.toString());
                                }
                                return Tick.DONE;
                              });
                        } else {
                          timers.startTimerWithFixedDelay(Tick.TICK, lease.dividedBy(3));
                        }
                        return Behaviors.same();
                      });
                }));
  }

  private static java.util.concurrent.CompletionStage<Integer> round(
      ActorSystem<?> system, ConnectionOwners owners, Duration lease) {
    Instant now = Instant.now();
    Cluster cluster = Cluster.get(system);
    return owners
        .renewLease(now)
        .thenCompose(renewed -> owners.incarnations())
        .thenCompose(
            incarnations -> {
              if (cluster.selfMember().status() != MemberStatus.up()) {
                return java.util.concurrent.CompletableFuture.completedFuture(0);
              }
              List<Incarnation> gone =
                  gone(incarnations, members(cluster), owners.self(), now, lease);
              java.util.concurrent.CompletionStage<Integer> swept =
                  java.util.concurrent.CompletableFuture.completedFuture(0);
              for (Incarnation dead : gone) {
                swept =
                    swept.thenCompose(
                        before ->
                            owners
                                .sweep(dead, now)
                                .thenApply(
                                    count -> {
                                      log.info(
                                          "Recorded {} connections of {} as ended: the node"
                                              + " stopped",
                                          count,
                                          dead.node());
                                      return before + count;
                                    }));
              }
              return swept;
            });
  }

  private static Set<String> members(Cluster cluster) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .map(Member::uniqueAddress)
        .map(ConnectionSweeper::incarnation)
        .collect(Collectors.toSet());
  }

  /** The incarnations whose connections are to be recorded as ended. */
  static List<Incarnation> gone(
      List<Incarnation> incarnations,
      Set<String> members,
      String self,
      Instant now,
      Duration lease) {
    Set<String> memberAddresses =
        members.stream().map(ConnectionSweeper::address).collect(Collectors.toSet());
    return incarnations.stream()
        .filter(incarnation -> !incarnation.node().equals(self))
        .filter(incarnation -> !members.contains(incarnation.node()))
        .filter(
            incarnation ->
                memberAddresses.contains(address(incarnation.node()))
                    || incarnation.seenAt() == null
                    || incarnation.seenAt().plus(lease).isBefore(now))
        .toList();
  }

  private static String address(String incarnation) {
    return incarnation.substring(0, Math.max(0, incarnation.lastIndexOf('#')));
  }
}
