package io.entwine.ingress;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.typesafe.config.Config;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * What a node refuses before it wakes an entity for a device's credentials (docs/adr/0041): a
 * device key, Hono auth-id or PSK holder the entities just answered "cannot match" for (not
 * registered, no such credential) is refused from memory for {@code unknown-ttl}; and an address
 * that caused {@code max-failures-per-address} such answers within {@code failure-window} gets no
 * more entities woken for it until the window ends, so a flood of random ids costs little. Keys
 * this node saw registered or authenticated within {@code unknown-ttl} still pass from such an
 * address: a device behind the same address as a flood, or registered after it, is not held up.
 * Wrong secrets for registered credentials count against the address too, and an address past the
 * limit gets no new slow hash ({@link #hashRefusal}, docs/adr/0043).
 *
 * <p>A registration or a new credential makes every node forget the key: at once on this node, by
 * an acknowledged notice on the others ({@link #forget}). {@link #stamp()} taken before an ask
 * keeps an answer that raced a registration on this node from being remembered.
 */
public final class AuthenticationGuard implements Extension {
  /** The answer for a key known not to match: the same 401 an entity would give. */
  public static final Reply.Rejected UNKNOWN = Reply.Rejected.unauthorized();

  private final Cache<String, Boolean> cannotMatch;
  private final Cache<String, Boolean> known;
  private final Cache<String, AtomicInteger> failuresByAddress;
  private final int maxFailures;
  private final Duration window;
  private final ActorSystem<?> system;
  private final Duration noticeTimeout;
  private long generation;

  /** Tells a node's guard that {@code key} may match now; it answers once it has forgotten. */
  public record Forget(String key, ActorRef<Forgotten> replyTo) implements CborSerializable {}

  /** The answer to {@link Forget}. */
  public record Forgotten() implements CborSerializable {}

  private static final String LISTENER = "entwine-authentication-guard";

  public AuthenticationGuard(ActorSystem<?> system) {
    this(system, Ticker.systemTicker());
  }

  /** With the clock the caches expire by: a test's to move time on. */
  AuthenticationGuard(ActorSystem<?> system, Ticker ticker) {
    Config config = system.settings().config().getConfig("entwine.authentication-guard");
    Duration ttl = config.getDuration("unknown-ttl");
    long maxEntries = config.getLong("unknown-max-entries");
    this.window = config.getDuration("failure-window");
    this.maxFailures = config.getInt("max-failures-per-address");
    this.cannotMatch = cache(maxEntries, ttl, ticker);
    this.known = cache(maxEntries, ttl, ticker);
    // An address's count lives one window from its first failure (written once, then counted up).
    this.failuresByAddress = cache(maxEntries, window, ticker);
    this.system = system;
    this.noticeTimeout = config.getDuration("notice-timeout");
    // at a fixed path, so that every node can address every other node's guard by its address
    system.systemActorOf(
        Behaviors.receiveMessage(
            (Forget forget) -> {
              forgetHere(forget.key());
              forget.replyTo().tell(new Forgotten());
              return Behaviors.same();
            }),
        LISTENER,
        Props.empty());
  }

  private static <V> Cache<String, V> cache(
      long maxEntries, Duration expireAfterWrite, Ticker ticker) {
    return Caffeine.newBuilder()
        .ticker(ticker)
        .maximumSize(maxEntries)
        .expireAfterWrite(expireAfterWrite)
        .executor(Runnable::run)
        .<String, V>build();
  }

  public static AuthenticationGuard get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /**
   * The refusal for a request for {@code key} from {@code address} (null when unknown), or null
   * when it may go to the entities.
   */
  public Reply.Rejected refusal(String key, String address) {
    if (cannotMatch.getIfPresent(key) != null) {
      return UNKNOWN;
    }
    return known.getIfPresent(key) == null ? hashRefusal(address) : null;
  }

  /**
   * The refusal of a slow hash for a secret presented from {@code address} (null when unknown), or
   * null when it may run: an address past its failures gets no more slow hashes until its window
   * ends (docs/adr/0043). Pairs this node already verified need none and are not asked about, so a
   * device that authenticated before is not held up by a flood from its address.
   */
  public Reply.Rejected hashRefusal(String address) {
    if (address != null && maxFailures > 0) {
      AtomicInteger failures = failuresByAddress.getIfPresent(address);
      if (failures != null && failures.get() >= maxFailures) {
        return new Reply.Rejected(
            Rejection.LIMIT_EXCEEDED,
            "Too many failed authentications from "
                + address
                + "; retry within "
                + window.toSeconds()
                + " s");
      }
    }
    return null;
  }

  /** The registration generation of this node, to pass to {@link #cannotMatch}. */
  public synchronized long stamp() {
    return generation;
  }

  /**
   * The entities answered that nothing presented for {@code key} can match: remembered, unless a
   * registration was seen since {@code stamp}, and counted against {@code address}.
   */
  public void cannotMatch(String key, String address, long stamp) {
    synchronized (this) {
      if (generation == stamp) {
        cannotMatch.put(key, Boolean.TRUE);
      }
    }
    countFailure(address);
  }

  /** A secret presented from {@code address} did not match a registered credential. */
  public void wrongSecret(String address) {
    countFailure(address);
  }

  private void countFailure(String address) {
    if (address != null && maxFailures > 0) {
      failuresByAddress.get(address, a -> new AtomicInteger()).incrementAndGet();
    }
  }

  /**
   * An entity accepted what was presented for {@code key}: known for {@code unknown-ttl} from this
   * success on. Each success starts the time again, so a device that keeps authenticating stays
   * known while a flood from its address lasts, not only for the ttl after its first success.
   */
  public void matched(String key) {
    known.put(key, Boolean.TRUE);
  }

  /**
   * {@code key} may match from now on (registered, or given a credential), on every node: at once
   * here, and on every other member the cluster knows (joining ones too) by a notice each node
   * acknowledges. Completes when all have acknowledged, or after {@code notice-timeout} for those
   * that did not (unreachable: their entry expires after {@code unknown-ttl}). Cluster pub-sub was
   * not enough: a node that had just joined was not yet among the topic's subscribers where the
   * registration happened, and kept refusing a registered device for a minute.
   */
  public CompletionStage<Void> forget(String key) {
    forgetHere(key);
    if (!"cluster".equals(system.settings().config().getString("pekko.actor.provider"))) {
      return CompletableFuture.completedFuture(null); // a test system alone: no other node
    }
    Cluster cluster = Cluster.get(system);
    ActorRefResolver resolver = ActorRefResolver.get(system);
    List<CompletableFuture<Forgotten>> notices = new ArrayList<>();
    for (Member member : cluster.state().getMembers()) {
      if (member.address().equals(cluster.selfMember().address())
          || !NOTIFIED.contains(member.status())) {
        continue;
      }
      ActorRef<Forget> guard = resolver.resolveActorRef(member.address() + "/system/" + LISTENER);
      notices.add(
          AskPattern.<Forget, Forgotten>ask(
                  guard, replyTo -> new Forget(key, replyTo), noticeTimeout, system.scheduler())
              .toCompletableFuture()
              .exceptionally(unreachable -> null));
    }
    return CompletableFuture.allOf(notices.toArray(CompletableFuture[]::new));
  }

  private static final Set<MemberStatus> NOTIFIED =
      Set.of(
          MemberStatus.joining(),
          MemberStatus.weaklyUp(),
          MemberStatus.up(),
          MemberStatus.leaving());

  private synchronized void forgetHere(String key) {
    generation++;
    cannotMatch.invalidate(key);
    known.put(key, Boolean.TRUE);
  }

  // ---- keys ----

  public static String deviceKey(io.entwine.identity.DeviceKey device) {
    return "device:" + device.entityId();
  }

  public static String pskKey(io.entwine.identity.DeviceKey device) {
    return "psk:" + device.entityId();
  }

  public static String authIdKey(String org, String authId) {
    return "auth-id:" + org + "/" + authId;
  }

  private static final class Id extends ExtensionId<AuthenticationGuard> {
    static final Id INSTANCE = new Id();

    @Override
    public AuthenticationGuard createExtension(ActorSystem<?> system) {
      return new AuthenticationGuard(system);
    }
  }
}
