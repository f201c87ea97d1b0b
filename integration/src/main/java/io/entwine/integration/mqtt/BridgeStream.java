package io.entwine.integration.mqtt;

import io.entwine.concurrent.Failures;
import io.entwine.ingress.Timestamps;
import io.entwine.integration.UplinkRecorder;
import io.entwine.integration.script.ConverterException;
import io.entwine.integration.script.Converters;
import io.entwine.integration.script.UplinkConverter;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.connectors.mqtt.MqttConnectionSettings;
import org.apache.pekko.stream.connectors.mqtt.MqttMessage;
import org.apache.pekko.stream.connectors.mqtt.MqttQoS;
import org.apache.pekko.stream.connectors.mqtt.MqttSubscriptions;
import org.apache.pekko.stream.connectors.mqtt.javadsl.MqttMessageWithAck;
import org.apache.pekko.stream.connectors.mqtt.javadsl.MqttSource;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The stream of one bridge: subscribe to the broker (pekko-connectors-mqtt, manual acks), decode
 * each message with the bridge's converter, record the result on the twins, and only then
 * acknowledge the message to the broker. At most {@code parallelism} messages are in flight; the
 * connector's buffer then fills and Paho stops reading from the socket, so the broker holds back.
 *
 * <p>A message the converter cannot decode, or whose devices are refused (not registered without
 * {@code allowCreateDevices}, disabled), is counted as failed, becomes the last error and is
 * acknowledged: it would fail the same way again, and must not block the messages behind it. When
 * recording fails for a reason that may pass (a twin did not answer, the journal is down, the
 * converter pool is full), the message is not acknowledged: the stream fails and reconnects with
 * backoff, and the broker delivers the unacknowledged messages again (persistent session).
 */
final class BridgeStream {
  private static final Executor SAME_THREAD = Runnable::run;
  private static final Set<Rejection> PERMANENT_REFUSALS =
      EnumSet.of(Rejection.NOT_FOUND, Rejection.DISABLED, Rejection.INVALID, Rejection.FORBIDDEN);

  /** What the stream tells the bridge entity. */
  sealed interface Report {}

  record Connected(Instant at) implements Report {}

  record Disconnected(Instant at, String reason) implements Report {}

  record Recorded(Instant arrived) implements Report {}

  record Failed(Instant arrived, String reason) implements Report {}

  private final BridgeConfig config;
  private final UplinkConverter converter;
  private final Converters converters;
  private final UplinkRecorder recorder;
  private final ActorRef<Report> reports;

  private BridgeStream(
      BridgeConfig config,
      UplinkConverter converter,
      Converters converters,
      UplinkRecorder recorder,
      ActorRef<Report> reports) {
    this.config = config;
    this.converter = converter;
    this.converters = converters;
    this.recorder = recorder;
    this.reports = reports;
  }

  /** Starts the bridge's stream; the kill switch stops it (and disconnects from the broker). */
  static UniqueKillSwitch run(
      BridgeConfig config,
      String password,
      UplinkConverter converter,
      Converters converters,
      UplinkRecorder recorder,
      MqttBridgeSettings settings,
      ActorRef<Report> reports,
      ActorSystem<?> system) {
    BridgeStream stream = new BridgeStream(config, converter, converters, recorder, reports);
    MqttConnectionSettings connection = connectionSettings(config, password, settings);
    MqttSubscriptions subscriptions = subscriptions(config.topics());
    return RestartSource.onFailuresWithBackoff(
            settings.reconnect().restartSettings(),
            () -> stream.connection(connection, subscriptions, settings.bufferSize(), settings))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.left())
        .run(system);
  }

  /**
   * A persistent session (clean session off), so that the broker keeps the subscriptions and the
   * unacknowledged QoS 1/2 messages while the bridge reconnects. Paho's own reconnect is off: the
   * stream restarts instead, with backoff.
   */
  static MqttConnectionSettings connectionSettings(
      BridgeConfig config, String password, MqttBridgeSettings settings) {
    MqttConnectionSettings connection =
        MqttConnectionSettings.create(config.url(), config.clientId(), new MemoryPersistence())
            .withCleanSession(false)
            .withAutomaticReconnect(false)
            .withConnectionTimeout(settings.connectionTimeout())
            .withKeepAliveInterval(settings.keepAlive())
            .withMaxInFlight(settings.bufferSize());
    return config.username() == null
        ? connection
        : connection.withAuth(config.username(), password == null ? "" : password);
  }

  static MqttSubscriptions subscriptions(List<BridgeConfig.Topic> topics) {
    return MqttSubscriptions.create(
        topics.stream().map(topic -> Pair.create(topic.filter(), qos(topic.qos()))).toList());
  }

  private static MqttQoS qos(int qos) {
    return switch (qos) {
      case 0 -> MqttQoS.atMostOnce();
      case 2 -> MqttQoS.exactlyOnce();
      default -> MqttQoS.atLeastOnce();
    };
  }

  private Source<Done, NotUsed> connection(
      MqttConnectionSettings connection,
      MqttSubscriptions subscriptions,
      int bufferSize,
      MqttBridgeSettings settings) {
    return MqttSource.atLeastOnce(connection, subscriptions, bufferSize)
        .mapMaterializedValue(
            subscribed -> {
              subscribed.thenAccept(done -> reports.tell(new Connected(Timestamps.now())));
              return NotUsed.getInstance();
            })
        .mapAsync(settings.parallelism(), this::handle)
        .watchTermination(
            (notUsed, terminated) -> {
              terminated.whenComplete(
                  (done, failure) ->
                      reports.tell(
                          new Disconnected(
                              Timestamps.now(),
                              failure == null ? "Disconnected" : describe(failure))));
              return notUsed;
            });
  }

  /** Completes once the message was acknowledged; fails when it must be delivered again. */
  private CompletionStage<Done> handle(MqttMessageWithAck message) {
    Instant arrived = Timestamps.now();
    MqttMessage mqtt = message.message();
    Map<String, String> metadata =
        Map.of(
            "topic",
            mqtt.topic(),
            "qos",
            mqtt.qos().isDefined() ? String.valueOf(mqtt.qos().get().value()) : "",
            "integrationName",
            config.sourceName());
    return converters
        .decode(converter, mqtt.payload().toArray(), metadata)
        .thenComposeAsync(
            uplinks ->
                recorder.record(
                    config.org(), uplinks, config.allowCreateDevices(), config.sourceName()),
            SAME_THREAD)
        .handleAsync(
            (outcome, failure) -> {
              if (failure == null) {
                reportOutcome(arrived, outcome);
                return message.ack();
              }
              Throwable cause = Failures.cause(failure);
              if (cause instanceof ConverterException converterError) {
                reports.tell(
                    new Failed(
                        arrived,
                        "Converter failed on topic '"
                            + mqtt.topic()
                            + "': "
                            + converterError.getMessage()));
                return message.ack();
              }
              return CompletableFuture.<Done>failedFuture(cause);
            },
            SAME_THREAD)
        .thenComposeAsync(ack -> ack, SAME_THREAD);
  }

  private void reportOutcome(Instant arrived, UplinkRecorder.Outcome outcome) {
    if (outcome.allRecorded()) {
      reports.tell(new Recorded(arrived));
      return;
    }
    for (UplinkRecorder.Refusal refusal : outcome.refused()) {
      if (!PERMANENT_REFUSALS.contains(refusal.reason())) {
        throw new TransientRefusal(refusal.message());
      }
    }
    reports.tell(new Failed(arrived, outcome.refused().get(0).message()));
  }

  /** A device refused the uplink for now (limit, unavailable): deliver it again later. */
  private static final class TransientRefusal extends RuntimeException {
    TransientRefusal(String message) {
      super(message);
    }
  }

  private static String describe(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    String message = cause.getMessage();
    if (cause instanceof TransientRefusal) {
      return "Recording refused for now, will be delivered again: " + message;
    }
    if (cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof java.util.concurrent.RejectedExecutionException) {
      return "Recording did not complete, will be delivered again: " + message;
    }
    return message == null || message.isBlank()
        ? cause.getClass().getSimpleName()
        : cause.getClass().getSimpleName() + ": " + message;
  }
}
