package io.entwine.ingress;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * What an organization allows, as every edge node checks it per message: its settings (the Hono
 * adapter configuration, limits), cached for a short time so the organization's entity is not asked
 * per message, and its message budget per period.
 *
 * <p>The budget is enforced per node: each node admits {@code ceil(budget / Up members)} messages
 * of an organization per period (fixed windows aligned to the epoch). Cluster-wide at most {@code
 * Up members × ceil(budget / Up members)} are admitted per period (the budget plus at most one per
 * node); an organization whose traffic reaches only some nodes is held to their shares.
 */
public final class OrganizationPolicies {
  private final AsyncLoadingCache<String, Reply> settings;
  private final IntSupplier upMembers;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  public OrganizationPolicies(ActorSystem<?> system, TwinGateway gateway, Duration cacheTtl) {
    this(
        gateway,
        cacheTtl,
        system.settings().config().getDuration("entwine.organizations.api-key-grace"),
        () -> upMembers(system));
  }

  public OrganizationPolicies(TwinGateway gateway, Duration cacheTtl, IntSupplier upMembers) {
    this(gateway, cacheTtl, cacheTtl, upMembers);
  }

  /**
   * Settings are asked again in the background once older than {@code cacheTtl}, and kept until
   * {@code grace} after the last answer, so that a request is not held while the organization's
   * entity moves after its node was lost.
   */
  public OrganizationPolicies(
      TwinGateway gateway, Duration cacheTtl, Duration grace, IntSupplier upMembers) {
    this.upMembers = upMembers;
    // Loads and refreshes only send an ask: run them on the caller's thread, not on the common
    // pool, which starts a thread per task on 2 cores
    // (docs/performance.md, "The stack measured bare").
    Caffeine<Object, Object> builder =
        Caffeine.newBuilder().maximumSize(100_000).executor(Runnable::run);
    if (cacheTtl.isZero() || grace.compareTo(cacheTtl) <= 0) {
      builder.expireAfterWrite(cacheTtl);
    } else {
      builder.refreshAfterWrite(cacheTtl).expireAfterWrite(grace);
    }
    this.settings =
        builder.buildAsync(
            (org, executor) ->
                // a plain future: continuations on a Pekko ask's own future would each run on
                // the JDK's default async pool (docs/performance.md, "The stack measured bare")
                gateway
                    .organizations()
                    .settings(org)
                    .thenApplyAsync(reply -> reply, Runnable::run)
                    .toCompletableFuture());
  }

  public static Duration cacheTtl(ActorSystem<?> system) {
    return system.settings().config().getDuration("entwine.organizations.settings-cache-ttl");
  }

  /** {@link Reply.OrganizationSettings}, or NOT_FOUND for an unknown organization. */
  public CompletionStage<Reply> settings(String org) {
    return settings.get(org);
  }

  /** Forgets the cached settings (after the operator changed them through this node). */
  public void invalidate(String org) {
    settings.synchronous().invalidate(org);
  }

  /** {@link #count}: the budget is used up. */
  static final long OVER_BUDGET = -1;

  /** {@link #count}: the organization has no budget, nothing was counted. */
  static final long UNLIMITED = -2;

  /**
   * Counts {@code messages} against the organization's budget: the window they were counted in (to
   * {@link #giveBack} if they are not recorded after all), {@link #UNLIMITED}, or {@link
   * #OVER_BUDGET} when they do not all fit.
   */
  long count(String org, Reply.MessageLimits limits, int messages) {
    if (limits.messagesPerPeriod() <= 0 || limits.periodSeconds() <= 0) {
      return UNLIMITED;
    }
    int members = Math.max(1, upMembers.getAsInt());
    long share = (limits.messagesPerPeriod() + members - 1) / members;
    long windowIndex = Instant.now().getEpochSecond() / limits.periodSeconds();
    boolean[] fits = new boolean[1];
    windows.compute(
        org,
        (key, current) -> {
          long counted = current == null || current.index() != windowIndex ? 0 : current.count();
          // what does not fit is not counted, so that a message given back makes room again
          fits[0] = counted + messages <= share;
          return fits[0] ? new Window(windowIndex, counted + messages) : current;
        });
    return fits[0] ? windowIndex : OVER_BUDGET;
  }

  /**
   * Uncounts {@code messages} counted in window {@code windowIndex} that were not recorded (the
   * twin refused them), unless that window is over.
   */
  void giveBack(String org, long windowIndex, int messages) {
    windows.computeIfPresent(
        org,
        (key, current) ->
            current.index() == windowIndex
                ? new Window(windowIndex, Math.max(0, current.count() - messages))
                : current);
  }

  private record Window(long index, long count) {}

  private static int upMembers(ActorSystem<?> system) {
    int up = 0;
    for (var member : Cluster.get(system).state().getMembers()) {
      if (member.status() == MemberStatus.up()) {
        up++;
      }
    }
    return up;
  }

  static CompletionStage<Reply> completed(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }
}
