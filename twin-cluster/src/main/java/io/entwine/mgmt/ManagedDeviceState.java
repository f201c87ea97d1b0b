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
import io.entwine.protocol.JsonValues;
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
    Management management,
    JsonNode firmware,
    List<DiagLog> logs,
    List<DiagErrorCode> errorCodes,
    Action action,
    ActionOutcome lastOutcome)
    implements CborSerializable {

  /** The most log entries and error codes kept; the oldest go first. */
  public static final int MAX_DIAGNOSTICS = 100;

  public static final ManagedDeviceState EMPTY =
      new ManagedDeviceState(null, null, null, null, null, null);

  public ManagedDeviceState {
    firmware = JsonValues.absentIfNull(firmware);
    logs = logs == null ? List.of() : logs;
    errorCodes = errorCodes == null ? List.of() : errorCodes;
  }

  /** What the device's last manage request said; null while it is not managed. */
  public record Management(
      long lifetime,
      boolean deviceActions,
      boolean firmwareActions,
      JsonNode deviceInfo,
      Instant lastManaged)
      implements CborSerializable {
    public Management {
      deviceInfo = JsonValues.absentIfNull(deviceInfo);
    }
  }

  /** The action of a request in progress on this device. */
  public record Action(
      String requestId, String action, Map<String, String> parameters, ActionStep step)
      implements CborSerializable {}

  public boolean managed() {
    return management != null;
  }

  /** True when the device did not renew its manage request within its lifetime. */
  public boolean dormantAt(Instant now) {
    return managed()
        && management.lifetime() > 0
        && management.lastManaged().plusSeconds(management.lifetime()).isBefore(now);
  }

  public ManagedDeviceState apply(Event event) {
    return CHANGES.apply(null, this, event);
  }

  private static final EventTable<Void, ManagedDeviceState, Event> CHANGES =
      EventTable.<Void, ManagedDeviceState, Event>of(Event.class)
          .on(
              Managed.class,
              (none, s, m) ->
                  s.with(
                      new Management(
                          m.lifetime(),
                          m.deviceActions(),
                          m.firmwareActions(),
                          m.deviceInfo() != null || !s.managed()
                              ? m.deviceInfo()
                              : s.management.deviceInfo(),
                          m.at()),
                      s.action,
                      s.lastOutcome))
          .on(Unmanaged.class, (none, s, unmanaged) -> s.with(null, s.action, s.lastOutcome))
          .on(
              LogAdded.class,
              (none, s, added) -> s.diagnostics(bounded(s.logs, added.log()), s.errorCodes))
          .on(LogsCleared.class, (none, s, cleared) -> s.diagnostics(List.of(), s.errorCodes))
          .on(
              ErrorCodeAdded.class,
              (none, s, added) -> s.diagnostics(s.logs, bounded(s.errorCodes, added.errorCode())))
          .on(ErrorCodesCleared.class, (none, s, cleared) -> s.diagnostics(s.logs, List.of()))
          .on(
              FirmwareChanged.class,
              (none, s, changed) ->
                  new ManagedDeviceState(
                      s.management,
                      changed.firmware(),
                      s.logs,
                      s.errorCodes,
                      s.action,
                      s.lastOutcome))
          .on(
              ActionStarted.class,
              (none, s, started) ->
                  s.with(
                      s.management,
                      new Action(
                          started.requestId(),
                          started.action(),
                          started.parameters(),
                          started.step()),
                      s.lastOutcome))
          .on(
              ActionStepped.class,
              (none, s, stepped) ->
                  s.with(
                      s.management,
                      new Action(
                          s.action.requestId(),
                          s.action.action(),
                          s.action.parameters(),
                          stepped.step()),
                      s.lastOutcome))
          .on(ActionEnded.class, (none, s, ended) -> s.with(s.management, null, ended.outcome()))
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

  private ManagedDeviceState with(Management next, Action nextAction, ActionOutcome outcome) {
    return new ManagedDeviceState(next, firmware, logs, errorCodes, nextAction, outcome);
  }

  private ManagedDeviceState diagnostics(List<DiagLog> nextLogs, List<DiagErrorCode> nextCodes) {
    return new ManagedDeviceState(management, firmware, nextLogs, nextCodes, action, lastOutcome);
  }
}
