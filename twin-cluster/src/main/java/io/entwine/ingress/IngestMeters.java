package io.entwine.ingress;

import io.entwine.metrics.Meters;
import io.entwine.metrics.StageClock;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What happened to the device events this node was asked to record, per protocol edge (the {@link
 * DeviceMessage#origin()} up to its first {@code ':'}: {@code http}, {@code mqtt}, {@code
 * hono-http}, {@code tencent-http}, {@code integration}, {@code mqtt-bridge}): how many were
 * acknowledged, how long each took from receipt to persisted, and why the others were refused: by
 * their twin, by a failed ask, or by {@link Admission} before any twin was asked. Meters are looked
 * up by origin in a map that holds one entry per origin string, so recording allocates nothing once
 * an origin was seen.
 */
final class IngestMeters {
  static final String ACKNOWLEDGED = "entwine.events.acknowledged";
  static final String LATENCY = "entwine.events.acknowledgement.latency";
  static final String REFUSED = "entwine.events.refused";
  static final String STAGE = "entwine.events.acknowledgement.stage";

  /** The refusal reason of a failed ask (timeout, journal down): the edges answer 503. */
  static final String FAILED = "failed";

  // each protocol's refusal counters: by Rejection ordinal, a failed ask, by Admission.Reason
  private static final int FAILED_SLOT = Rejection.values().length;
  private static final int ADMISSION_SLOTS = FAILED_SLOT + 1;
  private static final int SLOTS = ADMISSION_SLOTS + Admission.Reason.values().length;

  private final MeterRegistry registry;
  private final SlowAcknowledgements slow;
  private final Map<String, ProtocolMeters> byOrigin = new ConcurrentHashMap<>();

  IngestMeters(MeterRegistry registry, SlowAcknowledgements slow) {
    this.registry = registry;
    this.slow = slow;
    for (String protocol : List.of("http", "mqtt", "hono-http", "tencent-http")) {
      meters(protocol);
    }
  }

  /**
   * Counts {@code messages} as acknowledged or refused by {@code reply} or {@code failure}; an
   * acknowledgement's time per stage ({@code timing}) goes to the stage histograms, and into {@link
   * SlowAcknowledgements} when it was slow.
   */
  void recorded(List<DeviceMessage> messages, Reply reply, Throwable failure, AckStages timing) {
    long now = System.currentTimeMillis();
    if (failure == null && reply instanceof Reply.Done done && !messages.isEmpty()) {
      stages(messages, done, timing);
    }
    for (DeviceMessage message : messages) {
      ProtocolMeters meters = meters(message.origin());
      if (failure != null) {
        meters.refused(FAILED, FAILED_SLOT, 1);
      } else if (reply instanceof Reply.Done) {
        meters.acknowledged.increment();
        long millis = Math.max(0, now - message.receivedAt().toEpochMilli());
        meters.latency.record(millis, TimeUnit.MILLISECONDS);
      } else if (reply instanceof Reply.Rejected rejected) {
        meters.refused(rejected.reason().name(), rejected.reason().ordinal(), 1);
      }
    }
  }

  private void stages(List<DeviceMessage> messages, Reply.Done done, AckStages timing) {
    long total = timing.split(done, StageClock.now());
    ProtocolMeters meters = meters(messages.get(0).origin());
    for (int stage = 0; stage < AckStages.NAMES.length; stage++) {
      if (timing.stages[stage] >= 0) {
        meters.stages[stage].record(timing.stages[stage], TimeUnit.NANOSECONDS);
      }
    }
    if (slow.isSlow(total)) {
      slow.add(timing.record(meters.protocol, messages.size(), total));
    }
  }

  /** Counts {@code messages} of {@code protocol} that admission refused for {@code reason}. */
  void refusedAdmission(String protocol, Admission.Reason reason, int messages) {
    meters(protocol).refused(reason.name(), ADMISSION_SLOTS + reason.ordinal(), messages);
  }

  private ProtocolMeters meters(String origin) {
    ProtocolMeters meters = byOrigin.get(origin);
    return meters != null
        ? meters
        : byOrigin.computeIfAbsent(origin, o -> new ProtocolMeters(registry, protocol(o)));
  }

  static String protocol(String origin) {
    int colon = origin.indexOf(':');
    return colon < 0 ? origin : origin.substring(0, colon);
  }

  private static final class ProtocolMeters {
    final MeterRegistry registry;
    final String protocol;
    final Counter acknowledged;
    final Timer latency;
    // by AckStages index
    final Timer[] stages = new Timer[AckStages.NAMES.length];
    // by slot (SLOTS), registered on first use
    final AtomicReferenceArray<Counter> refused = new AtomicReferenceArray<>(SLOTS);

    ProtocolMeters(MeterRegistry registry, String protocol) {
      this.registry = registry;
      this.protocol = protocol;
      this.acknowledged =
          Counter.builder(ACKNOWLEDGED)
              .description(
                  "Device events this node acknowledged after their twin persisted them, per"
                      + " protocol")
              .tag("protocol", protocol)
              .register(registry);
      this.latency =
          Timer.builder(LATENCY)
              .description(
                  "Time from receiving a device event to its twin having persisted it, per"
                      + " protocol")
              .tag("protocol", protocol)
              .serviceLevelObjectives(Meters.LATENCY_BUCKETS)
              .register(registry);
      for (int stage = 0; stage < stages.length; stage++) {
        stages[stage] =
            Timer.builder(STAGE)
                .description(
                    "Time an acknowledged device event spent in each stage: admission (edge to the"
                        + " ask), to-twin (sharding, mailbox, behind the twin's previous write),"
                        + " handler, journal (the write with its tag writes), reply; docs/adr/0079")
                .tag("protocol", protocol)
                .tag("stage", AckStages.NAMES[stage])
                .serviceLevelObjectives(Meters.LATENCY_BUCKETS)
                .register(registry);
      }
    }

    void refused(String reason, int slot, int messages) {
      Counter counter = refused.get(slot);
      if (counter == null) {
        refused.compareAndSet(
            slot,
            null,
            Counter.builder(REFUSED)
                .description(
                    "Device events refused before a twin was asked (adapter off, payload over the"
                        + " limit, budget used up) or by their twin (reason: why), or that could"
                        + " not be recorded (failed: timeout, journal unavailable), per protocol")
                .tag("protocol", protocol)
                .tag("reason", reason.toLowerCase(Locale.ROOT).replace('_', '-'))
                .register(registry));
        counter = refused.get(slot);
      }
      counter.increment(messages);
    }
  }
}
