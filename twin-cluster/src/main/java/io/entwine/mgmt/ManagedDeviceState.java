package io.entwine.mgmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.entity.EventTable;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionEnded;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionOutcome;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionStarted;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionStep;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionStepped;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagErrorCode;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagLog;
import io.entwine.mgmt.ManagedDeviceProtocol.ErrorCodeAdded;
import io.entwine.mgmt.ManagedDeviceProtocol.ErrorCodesCleared;
import io.entwine.mgmt.ManagedDeviceProtocol.Event;
import io.entwine.mgmt.ManagedDeviceProtocol.FirmwareChanged;
import io.entwine.mgmt.ManagedDeviceProtocol.LogAdded;
import io.entwine.mgmt.ManagedDeviceProtocol.LogsCleared;
import io.entwine.mgmt.ManagedDeviceProtocol.Managed;
import io.entwine.mgmt.ManagedDeviceProtocol.Unmanaged;
import io.entwine.protocol.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What IBM's device management knows of one device (immutable): whether it is managed, what it
 * supports, its {@code mgmt.firmware} attributes, its diagnostics, the action in progress and how
 * the last one ended. Only devices that use device management have one.
 */
public record ManagedDeviceState(
    boolean managed,
    long lifetime,
    boolean deviceActions,
    boolean firmwareActions,
    JsonNode deviceInfo,
    Instant lastManaged,
    JsonNode firmware,
    List<DiagLog> logs,
    List<DiagErrorCode> errorCodes,
    Action action,
    ActionOutcome lastOutcome)
    implements CborSerializable {

  /** The most log entries and error codes kept; the oldest go first. */
  public static final int MAX_DIAGNOSTICS = 100;

  public static final ManagedDeviceState EMPTY =
      new ManagedDeviceState(false, 0, false, false, null, null, null, null, null, null, null);

  public ManagedDeviceState {
    deviceInfo = ManagedDeviceProtocol.absentIfNull(deviceInfo);
    firmware = ManagedDeviceProtocol.absentIfNull(firmware);
    logs = logs == null ? List.of() : logs;
    errorCodes = errorCodes == null ? List.of() : errorCodes;
  }

  /** The action of a request in progress on this device. */
  public record Action(
      String requestId, String action, Map<String, String> parameters, ActionStep step)
      implements CborSerializable {}

  /** True when the device did not renew its manage request within its lifetime. */
  public boolean dormantAt(Instant now) {
    return managed && lifetime > 0 && lastManaged.plusSeconds(lifetime).isBefore(now);
  }

  public ManagedDeviceState apply(Event event) {
    return CHANGES.apply(null, this, event);
  }

  private static final EventTable<Void, ManagedDeviceState, Event> CHANGES =
      EventTable.<Void, ManagedDeviceState, Event>of(Event.class)
          .on(Managed.class, (none, state, managed) -> state.managed(managed))
          .on(Unmanaged.class, (none, state, unmanaged) -> state.unmanaged())
          .on(
              LogAdded.class,
              (none, state, added) -> state.withLogs(bounded(state.logs, added.log())))
          .on(LogsCleared.class, (none, state, cleared) -> state.withLogs(List.of()))
          .on(
              ErrorCodeAdded.class,
              (none, state, added) ->
                  state.withErrorCodes(bounded(state.errorCodes, added.errorCode())))
          .on(ErrorCodesCleared.class, (none, state, cleared) -> state.withErrorCodes(List.of()))
          .on(
              FirmwareChanged.class,
              (none, state, changed) -> state.withFirmware(changed.firmware()))
          .on(
              ActionStarted.class,
              (none, state, started) ->
                  state.withAction(
                      new Action(
                          started.requestId(),
                          started.action(),
                          started.parameters(),
                          started.step()),
                      state.lastOutcome))
          .on(
              ActionStepped.class,
              (none, state, stepped) ->
                  state.withAction(
                      new Action(
                          state.action.requestId(),
                          state.action.action(),
                          state.action.parameters(),
                          stepped.step()),
                      state.lastOutcome))
          .on(ActionEnded.class, (none, state, ended) -> state.withAction(null, ended.outcome()))
          .build();

  /** The firmware attributes with {@code change} merged in (what a notify or an update sets). */
  public JsonNode firmwareWith(JsonNode change) {
    ObjectNode merged =
        firmware instanceof ObjectNode current
            ? current.deepCopy()
            : JsonNodeFactory.instance.objectNode().put("state", 0).put("updateStatus", 0);
    if (change instanceof ObjectNode fields) {
      merged.setAll(fields);
    }
    return merged;
  }

  private static <T> List<T> bounded(List<T> list, T added) {
    List<T> next = new ArrayList<>(list);
    next.add(added);
    while (next.size() > MAX_DIAGNOSTICS) {
      next.remove(0);
    }
    return List.copyOf(next);
  }

  private ManagedDeviceState managed(Managed m) {
    return new ManagedDeviceState(
        true,
        m.lifetime(),
        m.deviceActions(),
        m.firmwareActions(),
        m.deviceInfo() == null ? deviceInfo : m.deviceInfo(),
        m.at(),
        firmware,
        logs,
        errorCodes,
        action,
        lastOutcome);
  }

  private ManagedDeviceState unmanaged() {
    return new ManagedDeviceState(
        false,
        0,
        false,
        false,
        deviceInfo,
        lastManaged,
        firmware,
        logs,
        errorCodes,
        action,
        lastOutcome);
  }

  private ManagedDeviceState withLogs(List<DiagLog> next) {
    return new ManagedDeviceState(
        managed,
        lifetime,
        deviceActions,
        firmwareActions,
        deviceInfo,
        lastManaged,
        firmware,
        next,
        errorCodes,
        action,
        lastOutcome);
  }

  private ManagedDeviceState withErrorCodes(List<DiagErrorCode> next) {
    return new ManagedDeviceState(
        managed,
        lifetime,
        deviceActions,
        firmwareActions,
        deviceInfo,
        lastManaged,
        firmware,
        logs,
        next,
        action,
        lastOutcome);
  }

  private ManagedDeviceState withFirmware(JsonNode next) {
    return new ManagedDeviceState(
        managed,
        lifetime,
        deviceActions,
        firmwareActions,
        deviceInfo,
        lastManaged,
        next,
        logs,
        errorCodes,
        action,
        lastOutcome);
  }

  private ManagedDeviceState withAction(Action next, ActionOutcome outcome) {
    return new ManagedDeviceState(
        managed,
        lifetime,
        deviceActions,
        firmwareActions,
        deviceInfo,
        lastManaged,
        firmware,
        logs,
        errorCodes,
        next,
        outcome);
  }
}
