package io.entwine.integration.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.ingress.Timestamps;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The delivery of one webhook: the twins' tagged journal ({@code eventsByTag} of every slice, from
 * the webhook's stored offsets) → the messages its filter takes → groups of up to {@code
 * batch-size} journal events within {@code batch-within} → one POST per batch, one batch at a time
 * (so a device's messages arrive in order) → the offsets after the group persisted by the webhook
 * entity before the next group goes. A failed try is retried with exponential backoff and jitter; a
 * refused batch is skipped after {@code rejected-attempts} tries; a batch failing for {@code
 * pause-after} pauses the webhook. Messages are delivered at least once: after a crash the group
 * whose offsets were not yet persisted is delivered again.
 */
final class WebhookStream {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Executor SAME_THREAD = Runnable::run;

  /** What the stream tells its webhook entity; never crosses the network. */
  sealed interface Report {}

  /** The oldest message of the batch now being delivered was recorded at {@code since}. */
  record Pending(Instant since) implements Report {}

  record AttemptFailed(Instant at, String error, boolean retrying) implements Report {}

  /** The batch has failed for too long: pause the webhook. */
  record PauseRequested(String reason) implements Report {}

  /** The stream ended: stopped, paused, or failed ({@code error} not null). */
  record Ended(String error) implements Report {}

  /** A group is done: persist {@code offsets} (slice tag → time-based UUID) and count it. */
  record Progress(
      Map<String, String> offsets,
      int delivered,
      int skipped,
      Instant lastSuccess,
      ActorRef<Done> replyTo) {}

  /** Thrown into the stream to end it without a restart. */
  static final class Stopped extends RuntimeException {
    Stopped(String message) {
      super(message, null, false, false);
    }
  }

  private record Item(String tag, String offset, long recordedAt, List<ObjectNode> messages) {}

  private final WebhookConfig config;
  private final WebhookSettings settings;
  private final WebhookSender sender;
  private final ActorRef<Webhook.Command> webhook;
  private final int generation;
  private final ActorSystem<?> system;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private UniqueKillSwitch killSwitch;

  private WebhookStream(
      WebhookConfig config,
      WebhookSettings settings,
      WebhookSender sender,
      ActorRef<Webhook.Command> webhook,
      int generation,
      ActorSystem<?> system) {
    this.config = config;
    this.settings = settings;
    this.sender = sender;
    this.webhook = webhook;
    this.generation = generation;
    this.system = system;
  }

  /**
   * Starts delivering from {@code offsets}; a slice without one starts at {@code from}. Reports to
   * {@code webhook}, marked with {@code generation} so that the webhook can ignore a stream it
   * replaced, and reports {@link Ended} when the stream stops for any reason.
   */
  static WebhookStream run(
      WebhookConfig config,
      Map<String, String> offsets,
      Instant from,
      WebhookSettings settings,
      WebhookSender sender,
      ActorRef<Webhook.Command> webhook,
      int generation,
      ActorSystem<?> system) {
    WebhookStream stream = new WebhookStream(config, settings, sender, webhook, generation, system);
    stream.start(offsets, from);
    return stream;
  }

  /** Ends the stream; a batch being retried gives up at its next try. */
  void stop() {
    stopped.set(true);
    killSwitch.shutdown();
  }

  private void start(Map<String, String> offsets, Instant from) {
    CassandraReadJournal journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    List<String> tags = DeviceTwin.RECORDED_TAGS;
    Pair<UniqueKillSwitch, CompletionStage<Done>> running =
        Source.from(tags)
            .flatMapMerge(
                tags.size(),
                tag ->
                    journal
                        .eventsByTag(tag, offsetOf(journal, offsets.get(tag), from))
                        .map(envelope -> item(tag, envelope)))
            .viaMat(KillSwitches.single(), Keep.right())
            .groupedWithin(settings.batchSize(), settings.batchWithin())
            .mapAsync(1, this::deliverGroup)
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    killSwitch = running.first();
    running
        .second()
        .whenComplete(
            (done, failure) ->
                report(
                    new Ended(
                        failure == null || failure instanceof Stopped
                            ? null
                            : String.valueOf(failure.getMessage()))));
  }

  private static Offset offsetOf(CassandraReadJournal journal, String stored, Instant from) {
    return stored != null
        ? Offset.timeBasedUUID(UUID.fromString(stored))
        : journal.timeBasedUUIDFrom(from.toEpochMilli());
  }

  private Item item(String tag, EventEnvelope envelope) {
    String offset = ((TimeBasedUUID) envelope.offset()).value().toString();
    List<ObjectNode> messages =
        envelope.event() instanceof TwinEvent event
            ? WebhookMessages.of(config, envelope.persistenceId(), envelope.sequenceNr(), event)
            : List.of();
    return new Item(tag, offset, envelope.timestamp(), messages);
  }

  private CompletionStage<Done> deliverGroup(List<Item> group) {
    Map<String, String> offsets = new HashMap<>();
    List<ObjectNode> messages = new ArrayList<>();
    long oldest = Long.MAX_VALUE;
    for (Item item : group) {
      offsets.put(item.tag(), item.offset());
      messages.addAll(item.messages());
      if (!item.messages().isEmpty()) {
        oldest = Math.min(oldest, item.recordedAt());
      }
    }
    if (messages.isEmpty()) {
      return saveProgress(offsets, 0, 0, null);
    }
    report(new Pending(Instant.ofEpochMilli(oldest)));
    CompletionStage<int[]> counted = CompletableFuture.completedFuture(new int[2]);
    for (int from = 0; from < messages.size(); from += settings.batchSize()) {
      List<ObjectNode> batch =
          messages.subList(from, Math.min(messages.size(), from + settings.batchSize()));
      counted =
          counted.thenCompose(
              counts ->
                  deliverBatch(batch)
                      .thenApply(
                          delivered -> {
                            counts[delivered ? 0 : 1] += batch.size();
                            return counts;
                          }));
    }
    return counted.thenCompose(
        counts ->
            saveProgress(offsets, counts[0], counts[1], counts[0] > 0 ? Timestamps.now() : null));
  }

  private void report(Report report) {
    webhook.tell(new Webhook.StreamReport(generation, report));
  }

  private CompletionStage<Done> saveProgress(
      Map<String, String> offsets, int delivered, int skipped, Instant lastSuccess) {
    return AskPattern.ask(
        webhook,
        replyTo ->
            new Webhook.StreamProgress(
                generation,
                new Progress(Map.copyOf(offsets), delivered, skipped, lastSuccess, replyTo)),
        Duration.ofSeconds(30),
        system.scheduler());
  }

  /** True when delivered, false when skipped after refusals; fails when the webhook pauses. */
  private CompletionStage<Boolean> deliverBatch(List<ObjectNode> batch) {
    ArrayNode array = JSON.createArrayNode();
    batch.forEach(array::add);
    byte[] body = array.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return attempt(body, UUID.randomUUID().toString(), 1, 0, null);
  }

  private CompletionStage<Boolean> attempt(
      byte[] body, String deliveryId, int attempt, int refusals, Instant failingSince) {
    if (stopped.get()) {
      return CompletableFuture.failedFuture(new Stopped("The webhook's delivery stopped"));
    }
    return sender
        .post(config, deliveryId, body)
        .thenComposeAsync(
            outcome -> {
              if (outcome.kind() == WebhookSender.Outcome.Kind.DELIVERED) {
                return CompletableFuture.completedFuture(true);
              }
              Instant now = Timestamps.now();
              Instant since = failingSince == null ? now : failingSince;
              boolean refused = outcome.kind() == WebhookSender.Outcome.Kind.REFUSED;
              int refusedSoFar = refusals + (refused ? 1 : 0);
              if (refused && refusedSoFar >= settings.rejectedAttempts()) {
                report(new AttemptFailed(now, outcome.error() + "; batch skipped", false));
                return CompletableFuture.completedFuture(false);
              }
              if (Duration.between(since, now).compareTo(settings.pauseAfter()) >= 0) {
                report(new AttemptFailed(now, outcome.error(), false));
                report(new PauseRequested("Failing since " + since + ": " + outcome.error()));
                return CompletableFuture.<Boolean>failedFuture(new Stopped("Paused"));
              }
              report(new AttemptFailed(now, outcome.error(), true));
              return Patterns.after(
                  settings.retry().delay(attempt, ThreadLocalRandom.current().nextDouble()),
                  system.classicSystem().scheduler(),
                  system.executionContext(),
                  () -> attempt(body, deliveryId, attempt + 1, refusedSoFar, since));
            },
            SAME_THREAD);
  }
}
