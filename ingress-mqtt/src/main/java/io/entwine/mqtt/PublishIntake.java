package io.entwine.mqtt;

import static io.entwine.mqtt.TwinCalls.call;
import static io.entwine.mqtt.TwinCalls.describe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.mqtt.MqttSession.ApplicationPrincipal;
import io.entwine.mqtt.MqttSession.DevicePrincipal;
import io.entwine.mqtt.MqttSession.GatewayPrincipal;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.MqttWill;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a PUBLISH of one authenticated client means: an event its device records, an event an
 * application records on behalf of a device of its organization, an event a gateway records for
 * itself or a device it acts for, a command an application queues for a device (IBM IoT Foundation
 * MQTT documentation, Devices and Applications), a patch of a twin's reported or desired state
 * (docs/mqtt.md, "The twin's state") — each as the twin call that does it — or why the client may
 * not make it. The client's will is the same kind of publish, made for it after an ungraceful
 * close.
 */
final class PublishIntake {

  /**
   * A publication this client may make, as the call that records it (an event) or queues it (a
   * command), or why not. A device's own event or reported patch is also given as such, so that
   * several queued ones can go to its twin in one write.
   */
  record Intake(
      Supplier<CompletionStage<Reply>> action,
      String refusal,
      DeviceMessage ownEvent,
      ObjectNode ownReportedPatch) {
    static Intake refused(String reason) {
      return new Intake(null, reason, null, null);
    }

    static Intake of(Supplier<CompletionStage<Reply>> action) {
      return new Intake(action, null, null, null);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(PublishIntake.class);

  private final MqttSession session;
  private final TwinAccess twins;
  private final int maxPayloadBytes;
  private final StateRejections rejections;
  private final Notices notices;

  /** Where the rejection of a state write goes (the client's rejection topic); any thread. */
  @FunctionalInterface
  interface StateRejections {
    void reject(DeviceKey device, byte[] rejection);
  }

  /** Where a gateway's notification goes (its notify topic, {@link GatewayNotices}); any thread. */
  @FunctionalInterface
  interface Notices {
    void notice(byte[] notice);
  }

  // read and written on the event loop, and by publishWill after the close
  private volatile ParsedTopic lastTopic;

  private record ParsedTopic(String topic, Topics.Publication publication) {}

  PublishIntake(
      MqttSession session,
      TwinAccess twins,
      int maxPayloadBytes,
      StateRejections rejections,
      Notices notices) {
    this.session = session;
    this.twins = twins;
    this.maxPayloadBytes = maxPayloadBytes;
    this.rejections = rejections;
    this.notices = notices;
  }

  Intake intake(String topic, byte[] payload, MqttQoS qos) {
    if (payload.length > maxPayloadBytes) {
      return Intake.refused(
          "a payload of " + payload.length + " bytes is over the limit of " + maxPayloadBytes);
    }
    Topics.Publication publication = publicationOf(topic);
    DeviceKey device;
    String event;
    String format;
    if (publication instanceof Topics.DeviceEvent own) {
      device = session.principal().twin();
      event = own.event();
      format = own.format();
    } else if (publication instanceof Topics.EventOnBehalf onBehalf) {
      device = new DeviceKey(session.principal().org(), onBehalf.type(), onBehalf.id());
      event = onBehalf.event();
      format = onBehalf.format();
    } else if (publication instanceof Topics.CommandTo command) {
      return commandIntake(topic, command, payload);
    } else if (publication instanceof Topics.ReportedState) {
      DeviceKey itself = ((DevicePrincipal) session.principal()).device();
      return stateIntake(itself, StatePayloads.reported(payload));
    } else if (publication instanceof Topics.DesiredStateTo desired) {
      DeviceKey target = new DeviceKey(session.principal().org(), desired.type(), desired.id());
      return stateIntake(target, StatePayloads.desired(payload));
    } else {
      String reason =
          "may not publish to '" + topic + "': " + ((Topics.Invalid) publication).reason();
      return wantsNotices()
          ? Intake.of(() -> noticed(topic, GatewayNotices.INVALID_TOPIC, reason))
          : Intake.refused(reason);
    }
    Payloads.Inspection inspection = Payloads.inspect(format, payload);
    if (!inspection.isValid()) {
      return Intake.refused("'" + topic + "': " + inspection.error());
    }
    Instant receivedAt = Timestamps.now();
    DeviceMessage message =
        new DeviceMessage(
            device,
            event,
            format,
            inspection.payload(),
            inspection.eventTime().orElse(receivedAt),
            receivedAt,
            "mqtt",
            qos.value());
    // a device's own events may go in one write; a gateway's are recorded one by one
    boolean noticed = wantsNotices();
    return new Intake(
        () -> record(message, topic, noticed),
        null,
        publication instanceof Topics.DeviceEvent && session.isDevice() ? message : null,
        null);
  }

  /**
   * What publishing to {@code topic} means for this client. A device publishes to the same topic
   * again and again, so the last answer is kept: parsing and checking the topic of every message
   * took about 3 % of a node's CPU under QoS 0 load (docs/performance.md).
   */
  private Topics.Publication publicationOf(String topic) {
    ParsedTopic last = lastTopic;
    if (last != null && last.topic().equals(topic)) {
      return last.publication();
    }
    Topics.Publication publication;
    if (session.principal() instanceof GatewayPrincipal gateway) {
      publication = GatewayTopics.publication(gateway.gateway(), topic);
    } else {
      publication =
          session.isDevice()
              ? Topics.devicePublication(topic)
              : Topics.applicationPublication(topic);
    }
    lastTopic = new ParsedTopic(topic, publication);
    return publication;
  }

  /**
   * Records {@code message}; a gateway that subscribed to its notifications has a device's refusal
   * told there, and the publish is taken (IBM drops it), instead of the connection closing.
   */
  private CompletionStage<Reply> record(DeviceMessage message, String topic, boolean noticed) {
    if (session.principal() instanceof DevicePrincipal device) {
      return twins.recordEvent(message, device.token());
    }
    if (session.principal() instanceof GatewayPrincipal gateway) {
      return message.device().equals(gateway.gateway())
          ? twins.recordEvent(message, gateway.token())
          : twins.recordGatewayEvent(
              message,
              gateway.gateway(),
              refused ->
                  noticed && refused.reason() != Rejection.UNAUTHORIZED
                      ? notice(
                          topic, GatewayNotices.returnCode(refused.reason()), refused.message())
                      : refused);
    }
    ApplicationPrincipal app = (ApplicationPrincipal) session.principal();
    return twins.recordApplicationEvent(message, app.apiKey());
  }

  /** Several of the device's own events, one after another, in one write. */
  CompletionStage<Reply> recordOwnEvents(List<DeviceMessage> events) {
    return twins.recordEvents(events, ((DevicePrincipal) session.principal()).token());
  }

  /** An application's command: queued on the device's twin with a new command id. */
  private Intake commandIntake(String topic, Topics.CommandTo command, byte[] payload) {
    Payloads.Inspection inspection = Payloads.inspect(command.format(), payload);
    if (!inspection.isValid()) {
      return Intake.refused("'" + topic + "': " + inspection.error());
    }
    DeviceKey device = new DeviceKey(session.principal().org(), command.type(), command.id());
    String commandId = UUID.randomUUID().toString();
    return Intake.of(
        () ->
            twins.queueCommand(
                device, commandId, command.command(), command.format(), inspection.payload()));
  }

  /**
   * A state write: the device's reported patch or an application's desired patch. MQTT 3.1.1 has no
   * negative PUBACK, so a write the twin refuses (invalid, too large, another version, unknown
   * device) is acknowledged and answered on the client's rejection topic; a refusal of the client
   * itself (its token changed) closes the connection as for events.
   */
  private Intake stateIntake(DeviceKey device, StatePayloads.Parsed parsed) {
    if (parsed.write() == null) {
      return Intake.of(
          () -> rejected(device, StatePayloads.rejection(parsed.code(), parsed.message(), null)));
    }
    StatePayloads.Write write = parsed.write();
    boolean ownReported = session.principal() instanceof DevicePrincipal;
    return new Intake(
        () ->
            (session.principal() instanceof DevicePrincipal own
                    ? twins.patchReported(device, own.token(), write.patch())
                    : twins.changeDesired(device, write.patch(), write.version()))
                .thenApply(
                    reply -> {
                      byte[] rejection = StatePayloads.rejectionOf(reply);
                      if (rejection != null) {
                        rejections.reject(device, rejection);
                        return new Reply.Done();
                      }
                      return reply instanceof Reply.StateView ? new Reply.Done() : reply;
                    }),
        null,
        null,
        ownReported ? write.patch() : null);
  }

  /**
   * Several of the device's own reported patches, in order, in one write: Done once persisted, each
   * refused one answered on the rejection topic as when it goes alone.
   */
  CompletionStage<Reply> patchOwnReported(List<ObjectNode> patches) {
    DevicePrincipal own = (DevicePrincipal) session.principal();
    return twins
        .patchReportedInOrder(own.device(), own.token(), patches)
        .thenApply(
            reply -> {
              if (reply instanceof Reply.ReportedPatchesApplied applied) {
                applied.refusals().forEach(refusal -> rejectIfRefused(own.device(), refusal));
                return new Reply.Done();
              }
              byte[] rejection = StatePayloads.rejectionOf(reply);
              if (rejection == null) {
                return reply;
              }
              patches.forEach(patch -> rejections.reject(own.device(), rejection));
              return new Reply.Done();
            });
  }

  private void rejectIfRefused(DeviceKey device, Reply.Rejected refusal) {
    byte[] rejection = refusal == null ? null : StatePayloads.rejectionOf(refusal);
    if (rejection != null) {
      rejections.reject(device, rejection);
    }
  }

  /** True for a gateway subscribed to its notifications; read on the event loop. */
  private boolean wantsNotices() {
    return session.isGateway()
        && session.deliveringTo(filter -> filter instanceof GatewayTopics.NotifyFilter) != null;
  }

  private CompletionStage<Reply> noticed(String topic, int rc, String message) {
    return CompletableFuture.completedFuture(notice(topic, rc, message));
  }

  /** Tells the gateway why its publish to {@code topic} was dropped; the publish is taken. */
  private Reply notice(String topic, int rc, String message) {
    log.info("MQTT {}: publish to '{}' dropped ({}): {}", session.clientId(), topic, rc, message);
    notices.notice(
        GatewayNotices.publishRefused(topic, session.clientId(), rc, message, Timestamps.now()));
    return new Reply.Done();
  }

  private CompletionStage<Reply> rejected(DeviceKey device, byte[] rejection) {
    rejections.reject(device, rejection);
    return CompletableFuture.completedFuture(new Reply.Done());
  }

  /**
   * After an ungraceful close (no DISCONNECT), the will is recorded like a publish of this client,
   * if it is one this client may make; otherwise it is dropped with a log line.
   */
  void publishWill() {
    String clientId = session.clientId();
    session
        .will()
        .ifPresent(
            will -> {
              Intake intake = intake(will.topic(), will.payload(), will.qos());
              if (intake.refusal() != null) {
                log.info("MQTT {}: will dropped: {}", clientId, intake.refusal());
                return;
              }
              call(intake.action())
                  .whenComplete(
                      (reply, failure) -> {
                        if (failure != null || !TwinCalls.isAccepted(reply)) {
                          log.info(
                              "MQTT {}: will not recorded: {}",
                              clientId,
                              failure != null ? describe(failure) : describe(reply));
                        }
                      });
            });
  }

  /** The will of a CONNECT packet, or null when it has none. */
  static MqttSession.Will willOf(MqttWill will) {
    if (will == null || !will.isWillFlag()) {
      return null;
    }
    return new MqttSession.Will(
        will.getWillTopic(),
        will.getWillMessageBytes(),
        MqttQoS.valueOf(will.getWillQos()),
        will.isWillRetain());
  }
}
