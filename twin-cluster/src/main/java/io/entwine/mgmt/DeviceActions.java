package io.entwine.mgmt;

import static io.entwine.mgmt.ManagedDevice.EFFECT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionEnded;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionOutcome;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionStarted;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionStep;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionStepped;
import io.entwine.mgmt.ManagedDeviceProtocol.Event;
import io.entwine.mgmt.ManagedDeviceProtocol.FirmwareChanged;
import io.entwine.mgmt.ManagedDeviceProtocol.Manage;
import io.entwine.mgmt.ManagedDeviceProtocol.Managed;
import io.entwine.mgmt.ManagedDeviceProtocol.NotifyFirmware;
import io.entwine.mgmt.ManagedDeviceProtocol.Respond;
import io.entwine.mgmt.ManagedDeviceProtocol.Start;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The steps of IBM's device actions and firmware actions on one {@link ManagedDevice} (IBM Watson
 * IoT Platform documentation, Device management requests): each step publishes a request to the
 * device and waits for its return code on {@code iotdevice-1/response}.
 *
 * <ul>
 *   <li>{@code device/reboot}, {@code device/factoryReset}: initiate → 202 → the next manage
 *       request completes it.
 *   <li>{@code firmware/download}: update of {@code mgmt.firmware} → 204 (or 200) → observe → 200 →
 *       initiate → 202 → a notify with {@code state} 2 completes it, {@code state} 0 with an error
 *       {@code updateStatus} fails it; then the observation is cancelled.
 *   <li>{@code firmware/update}: observe → 200 → initiate → 202 → a notify with {@code
 *       updateStatus} 0 and {@code state} 0 completes it, an error {@code updateStatus} fails it.
 * </ul>
 *
 * Any other return code ends the device's part with that code and the device's message.
 */
final class DeviceActions {
  static final String REBOOT = "device/reboot";
  static final String FACTORY_RESET = "device/factoryReset";
  static final String FIRMWARE_DOWNLOAD = "firmware/download";

  private static final int DOWNLOADED = 2;

  private DeviceActions() {}

  /** The reqId of what is sent in {@code step}: the request's id itself for the initiation. */
  static String reqIdOf(String requestId, ActionStep step) {
    return step == ActionStep.INITIATE_SENT || step == ActionStep.ACCEPTED
        ? requestId
        : requestId + "-" + step.name().toLowerCase();
  }

  /** A manage request; after a reboot or factory reset it completes the action. */
  static ReplyEffect<Event, ManagedDeviceState> onManage(
      ManagedDevice entity, ManagedDeviceState state, Manage manage) {
    entity.connection = manage.connection();
    List<Event> events = new ArrayList<>();
    events.add(
        new Managed(
            manage.lifetime(),
            manage.deviceActions(),
            manage.firmwareActions(),
            manage.deviceInfo(),
            manage.metadata(),
            manage.at()));
    ManagedDeviceState.Action action = state.action();
    ActionOutcome outcome = null;
    if (action != null
        && action.step() == ActionStep.ACCEPTED
        && (REBOOT.equals(action.action()) || FACTORY_RESET.equals(action.action()))) {
      outcome = new ActionOutcome(action.requestId(), true, 200, null, manage.at());
      events.add(new ActionEnded(outcome));
    }
    ActionOutcome ended = outcome;
    return EFFECT
        .persist(events)
        .thenRun(
            after -> {
              if (ended != null) {
                entity.report(ended);
              }
            })
        .thenReply(manage.replyTo(), after -> new Reply.Done());
  }

  /** A request's action for this device: its first step, or why it cannot start. */
  static ReplyEffect<Event, ManagedDeviceState> onStart(
      ManagedDevice entity, ManagedDeviceState state, Start start) {
    if (state.action() != null && state.action().requestId().equals(start.requestId())) {
      return EFFECT.noReply(); // already running: a re-sent start after a restart
    }
    if (state.lastOutcome() != null && state.lastOutcome().requestId().equals(start.requestId())) {
      entity.report(state.lastOutcome());
      return EFFECT.noReply();
    }
    String refusal = refusal(entity, state, start);
    if (refusal != null) {
      int rc = refusal.startsWith("the device does not support") ? 501 : 409;
      ActionOutcome outcome = new ActionOutcome(start.requestId(), false, rc, refusal, start.at());
      return EFFECT
          .persist(new ActionEnded(outcome))
          .thenRun(after -> entity.report(outcome))
          .thenNoReply();
    }
    boolean firmware = start.action().startsWith("firmware/");
    ActionStep first =
        FIRMWARE_DOWNLOAD.equals(start.action())
            ? ActionStep.UPDATE_SENT
            : firmware ? ActionStep.OBSERVE_SENT : ActionStep.INITIATE_SENT;
    ToDevice message =
        switch (first) {
          case UPDATE_SENT ->
              ManagementMessages.firmwareUpdate(
                  reqIdOf(start.requestId(), first), start.parameters());
          case OBSERVE_SENT -> observe(start.requestId());
          default -> ManagementMessages.initiate(start.action(), start.requestId());
        };
    return EFFECT
        .persist(
            new ActionStarted(
                start.requestId(), start.action(), start.parameters(), first, start.at()))
        .thenRun(after -> entity.send(message))
        .thenNoReply();
  }

  private static String refusal(ManagedDevice entity, ManagedDeviceState state, Start start) {
    if (!state.managed()) {
      return "the device is not a managed device";
    }
    boolean firmware = start.action().startsWith("firmware/");
    ManagedDeviceState.Management management = state.management();
    if (firmware ? !management.firmwareActions() : !management.deviceActions()) {
      return "the device does not support " + (firmware ? "firmware" : "device") + " actions";
    }
    if (state.action() != null) {
      return "request " + state.action().requestId() + " is in progress on the device";
    }
    if (entity.connection == null) {
      return "the device is not connected";
    }
    return null;
  }

  /** The request gave up on this device: its action ends as the request recorded it. */
  static ReplyEffect<Event, ManagedDeviceState> onAbandon(
      ManagedDevice entity, ManagedDeviceState state, ManagedDeviceProtocol.Abandon abandon) {
    ManagedDeviceState.Action action = state.action();
    if (action == null || !action.requestId().equals(abandon.outcome().requestId())) {
      return EFFECT.noReply(); // it ended meanwhile, or another one runs
    }
    boolean cancel =
        action.action().startsWith("firmware/") && action.step() != ActionStep.UPDATE_SENT;
    return EFFECT
        .persist(new ActionEnded(abandon.outcome()))
        .thenRun(
            after -> {
              if (cancel) {
                cancelObservation(entity, action);
              }
            })
        .thenNoReply();
  }

  /** Cancels the observation of {@code mgmt.firmware} that a firmware action made. */
  private static void cancelObservation(ManagedDevice entity, ManagedDeviceState.Action action) {
    entity.send(
        ManagementMessages.firmwareObservation(
            ManagementMessages.CANCEL, action.requestId() + "-cancel"));
  }

  /** The device's return code for what the current step sent. */
  static ReplyEffect<Event, ManagedDeviceState> onRespond(
      ManagedDevice entity, ManagedDeviceState state, Respond respond) {
    ManagedDeviceState.Action action = state.action();
    if (action == null
        || action.step() == ActionStep.ACCEPTED
        || !reqIdOf(action.requestId(), action.step()).equals(respond.reqId())) {
      return EFFECT.reply(respond.replyTo(), new Reply.Done()); // not waited for: nothing to do
    }
    int rc = respond.rc();
    return switch (action.step()) {
      case UPDATE_SENT ->
          rc == 200 || rc == 204
              ? next(
                  entity,
                  respond,
                  List.of(
                      new FirmwareChanged(
                          state.firmwareWith(firmwareOf(action.parameters())), respond.at()),
                      new ActionStepped(ActionStep.OBSERVE_SENT)),
                  observe(action.requestId()))
              : end(entity, respond, action, rc, respond.message(), List.of());
      case OBSERVE_SENT ->
          rc == 200
              ? next(
                  entity,
                  respond,
                  List.of(new ActionStepped(ActionStep.INITIATE_SENT)),
                  ManagementMessages.initiate(action.action(), action.requestId()))
              : end(entity, respond, action, rc, respond.message(), List.of());
      default ->
          rc == 202
              ? next(entity, respond, List.of(new ActionStepped(ActionStep.ACCEPTED)), null)
              : end(entity, respond, action, rc, respond.message(), List.of());
    };
  }

  /** {@code mgmt.firmware} changed on the device; it may complete a firmware action. */
  static ReplyEffect<Event, ManagedDeviceState> onNotifyFirmware(
      ManagedDevice entity, ManagedDeviceState state, NotifyFirmware notify) {
    JsonNode firmware = state.firmwareWith(notify.firmware());
    List<Event> changed = List.of(new FirmwareChanged(firmware, notify.at()));
    ManagedDeviceState.Action action = state.action();
    if (action == null
        || action.step() != ActionStep.ACCEPTED
        || !action.action().startsWith("firmware/")) {
      return EFFECT.persist(changed).thenReply(notify.replyTo(), after -> new Reply.Done());
    }
    int downloadState = firmware.path("state").asInt(0);
    int updateStatus = firmware.path("updateStatus").asInt(0);
    boolean download = FIRMWARE_DOWNLOAD.equals(action.action());
    if (updateStatus >= 2) {
      return end(entity, notify, action, 500, "updateStatus " + updateStatus, changed);
    }
    boolean done = download ? downloadState == DOWNLOADED : updateStatus == 0 && downloadState == 0;
    return done
        ? end(entity, notify, action, 200, null, changed)
        : EFFECT.persist(changed).thenReply(notify.replyTo(), after -> new Reply.Done());
  }

  private static ReplyEffect<Event, ManagedDeviceState> next(
      ManagedDevice entity, Respond respond, List<Event> events, ToDevice message) {
    return EFFECT
        .persist(events)
        .thenRun(
            after -> {
              if (message != null) {
                entity.send(message);
              }
            })
        .thenReply(respond.replyTo(), after -> new Reply.Done());
  }

  /** Ends the action with {@code rc}; a firmware action's observation is cancelled. */
  private static ReplyEffect<Event, ManagedDeviceState> end(
      ManagedDevice entity,
      ManagedDeviceProtocol.Answered command,
      ManagedDeviceState.Action action,
      int rc,
      String message,
      List<Event> before) {
    ActionOutcome outcome =
        new ActionOutcome(action.requestId(), rc < 300, rc, message, Instant.now());
    List<Event> events = new ArrayList<>(before);
    events.add(new ActionEnded(outcome));
    boolean cancel = action.action().startsWith("firmware/");
    return EFFECT
        .persist(events)
        .thenRun(
            after -> {
              if (cancel) {
                cancelObservation(entity, action);
              }
              entity.report(outcome);
            })
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private static ToDevice observe(String requestId) {
    return ManagementMessages.firmwareObservation(
        ManagementMessages.OBSERVE, reqIdOf(requestId, ActionStep.OBSERVE_SENT));
  }

  private static JsonNode firmwareOf(Map<String, String> parameters) {
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    parameters.forEach(value::put);
    return value;
  }
}
