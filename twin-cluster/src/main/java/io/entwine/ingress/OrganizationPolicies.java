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
            (org, executor) -> gateway.organizations().settings(org).toCompletableFuture());
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

  /** Counts one message against the organization's budget; false when it is used up. */
  public boolean tryAdmit(String org, Reply.MessageLimits limits) {
    if (limits.messagesPerPeriod() <= 0 || limits.periodSeconds() <= 0) {
      return true;
    }
    int members = Math.max(1, upMembers.getAsInt());
    long share = (limits.messagesPerPeriod() + members - 1) / members;
    long windowIndex = Instant.now().getEpochSecond() / limits.periodSeconds();
    Window window =
        windows.compute(
            org,
            (key, current) ->
                current == null || current.index() != windowIndex
                    ? new Window(windowIndex, 1)
                    : new Window(windowIndex, current.count() + 1));
    return window.count() <= share;
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
