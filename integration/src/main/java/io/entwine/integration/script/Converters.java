package io.entwine.integration.script;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's converter service: compiles each script once (cached by its text) and runs converters
 * on a small dedicated pool with a bounded queue, so that scripts never run on HTTP or actor
 * threads and a flood of messages is refused ({@link RejectedExecutionException}) instead of queued
 * without bound.
 */
public final class Converters implements Extension {
  private final ScriptLimits limits;
  private final ThreadPoolExecutor pool;
  private final Cache<String, UplinkConverter> uplinks;
  private final Cache<String, DownlinkConverter> downlinks;

  private Converters(Config config) {
    this.limits =
        new ScriptLimits(
            Duration.ofMillis(config.getLong("timeout-ms")),
            config.getInt("max-stack-depth"),
            config.getInt("max-result-chars"),
            config.getInt("max-result-devices"),
            config.getInt("max-result-readings"));
    int threads = config.getInt("threads");
    AtomicInteger counter = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(config.getInt("queue-size")),
            runnable -> {
              Thread thread =
                  new Thread(runnable, "entwine-converter-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
    long cacheSize = config.getLong("compiled-cache-size");
    this.uplinks = Caffeine.newBuilder().maximumSize(cacheSize).build();
    this.downlinks = Caffeine.newBuilder().maximumSize(cacheSize).build();
  }

  public static Converters get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public ScriptLimits limits() {
    return limits;
  }

  /** The compiled uplink converter of {@code script}; SYNTAX when it does not compile. */
  public UplinkConverter uplink(String script) throws ConverterException {
    return compiled(uplinks, script, () -> UplinkConverter.compile(script, limits));
  }

  public DownlinkConverter downlink(String script) throws ConverterException {
    return compiled(downlinks, script, () -> DownlinkConverter.compile(script, limits));
  }

  /**
   * Decodes on the converter pool. Fails with {@link ConverterException} for the script's errors,
   * {@link RejectedExecutionException} when the pool's queue is full.
   */
  public CompletionStage<List<DecodedUplink>> decode(
      UplinkConverter converter, byte[] payload, Map<String, String> metadata) {
    return run(() -> converter.decode(payload, metadata));
  }

  public CompletionStage<EncodedDownlink> encode(
      DownlinkConverter converter,
      JsonNode msg,
      Map<String, String> metadata,
      String msgType,
      Map<String, String> integrationMetadata) {
    return run(() -> converter.encode(msg, metadata, msgType, integrationMetadata));
  }

  private interface Compiler<T> {
    T compile() throws ConverterException;
  }

  private interface Run<T> {
    T run() throws ConverterException;
  }

  private static <T> T compiled(Cache<String, T> cache, String script, Compiler<T> compiler)
      throws ConverterException {
    T cached = cache.getIfPresent(script);
    if (cached != null) {
      return cached;
    }
    T converter = compiler.compile();
    cache.put(script, converter);
    return converter;
  }

  private <T> CompletionStage<T> run(Run<T> run) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      pool.execute(
          () -> {
            try {
              result.complete(run.run());
            } catch (ConverterException | RuntimeException e) {
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  private static final class Id extends ExtensionId<Converters> {
    static final Id INSTANCE = new Id();

    @Override
    public Converters createExtension(ActorSystem<?> system) {
      Converters converters =
          new Converters(system.settings().config().getConfig("entwine.integration.converters"));
      system.getWhenTerminated().thenRun(converters.pool::shutdownNow);
      return converters;
    }
  }
}
