package io.entwine.mgmt;

import io.entwine.entity.CommandTable;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ManagedDeviceProtocol.Abandon;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionOutcome;
import io.entwine.mgmt.ManagedDeviceProtocol.AddErrorCode;
import io.entwine.mgmt.ManagedDeviceProtocol.AddLog;
import io.entwine.mgmt.ManagedDeviceProtocol.Attach;
import io.entwine.mgmt.ManagedDeviceProtocol.ClearErrorCodes;
import io.entwine.mgmt.ManagedDeviceProtocol.ClearLogs;
import io.entwine.mgmt.ManagedDeviceProtocol.Command;
import io.entwine.mgmt.ManagedDeviceProtocol.ErrorCodeAdded;
import io.entwine.mgmt.ManagedDeviceProtocol.ErrorCodesCleared;
import io.entwine.mgmt.ManagedDeviceProtocol.Event;
import io.entwine.mgmt.ManagedDeviceProtocol.GetErrorCodes;
import io.entwine.mgmt.ManagedDeviceProtocol.GetLogs;
import io.entwine.mgmt.ManagedDeviceProtocol.GetManagement;
import io.entwine.mgmt.ManagedDeviceProtocol.LogAdded;
import io.entwine.mgmt.ManagedDeviceProtocol.LogsCleared;
import io.entwine.mgmt.ManagedDeviceProtocol.Manage;
import io.entwine.mgmt.ManagedDeviceProtocol.NotifyFirmware;
import io.entwine.mgmt.ManagedDeviceProtocol.Respond;
import io.entwine.mgmt.ManagedDeviceProtocol.Start;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.mgmt.ManagedDeviceProtocol.Unmanage;
import io.entwine.mgmt.ManagedDeviceProtocol.Unmanaged;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One device as IBM's device management sees it (IBM Watson IoT Platform documentation, Device
 * management protocol): managed or not, what it supports, its firmware attributes, diagnostics, and
 * the action of a management request in progress on it (steps in {@link DeviceActions}). A separate
 * entity from the device's twin (same entity id, {@code org/type/id}), so that devices that never
 * use device management pay nothing for it (docs/adr/0058).
 *
 * <p>The device's MQTT connection is known only in memory: it comes with each manage request and is
 * refreshed by the connection ({@link Attach}), so an entity that restarted or moved learns it
 * again within a refresh.
 */
public final class ManagedDevice
    extends EventSourcedEntity<ManagedDevice, Command, Event, ManagedDeviceState> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "ManagedDevice");

  /** Where a device's outcomes go: its organization's {@link ActionRequests} in the cluster. */
  @FunctionalInterface
  public interface Outcomes {
    void report(ActionRequests.DeviceFinished finished);
  }

  final DeviceKey device;
  private final Outcomes outcomes;

  /** Where the device's connection takes platform requests; null while none is known. */
  ActorRef<ToDevice> connection;

  public static void init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Outcomes outcomes =
        finished -> sharding.entityRefFor(ActionRequests.ENTITY_KEY, finished.org()).tell(finished);
    sharding.init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), outcomes)));
  }

  public static Behavior<Command> create(String entityId, Outcomes outcomes) {
    return new ManagedDevice(entityId, outcomes);
  }

  private ManagedDevice(String entityId, Outcomes outcomes) {
    super(ENTITY_KEY, entityId);
    this.device = DeviceKey.fromEntityId(entityId);
    this.outcomes = outcomes;
  }

  @Override
  public ManagedDeviceState emptyState() {
    return ManagedDeviceState.EMPTY;
  }

  @Override
  public EventHandler<ManagedDeviceState, Event> eventHandler() {
    return ManagedDeviceState::apply;
  }

  @Override
  protected CommandTable<ManagedDevice, Command, Event, ManagedDeviceState> commandTable() {
    return HANDLERS;
  }

  static final EffectFactories<Event, ManagedDeviceState> EFFECT = new EffectFactories<>();

  private static final CommandTable<ManagedDevice, Command, Event, ManagedDeviceState> HANDLERS =
      CommandTable.<ManagedDevice, Command, Event, ManagedDeviceState>of(Command.class)
          .on(Manage.class, DeviceActions::onManage)
          .on(Unmanage.class, ManagedDevice::onUnmanage)
          .on(AddLog.class, ManagedDevice::onAddLog)
          .on(ClearLogs.class, ManagedDevice::onClearLogs)
          .on(AddErrorCode.class, ManagedDevice::onAddErrorCode)
          .on(ClearErrorCodes.class, ManagedDevice::onClearErrorCodes)
          .on(NotifyFirmware.class, DeviceActions::onNotifyFirmware)
          .on(Respond.class, DeviceActions::onRespond)
          .on(Start.class, DeviceActions::onStart)
          .on(Abandon.class, DeviceActions::onAbandon)
          .on(Attach.class, ManagedDevice::onAttach)
          .on(GetManagement.class, ManagedDevice::onGetManagement)
          .on(GetLogs.class, ManagedDevice::onGetLogs)
          .on(GetErrorCodes.class, ManagedDevice::onGetErrorCodes)
          .build();

  private static ReplyEffect<Event, ManagedDeviceState> onUnmanage(
      ManagedDevice entity, ManagedDeviceState state, Unmanage unmanage) {
    if (!state.managed()) {
      return EFFECT.reply(unmanage.replyTo(), new Reply.Done());
    }
    return EFFECT
        .persist(new Unmanaged(unmanage.at()))
        .thenReply(unmanage.replyTo(), after -> new Reply.Done());
  }

  private static ReplyEffect<Event, ManagedDeviceState> onAddLog(
      ManagedDevice entity, ManagedDeviceState state, AddLog add) {
    return EFFECT
        .persist(new LogAdded(add.log()))
        .thenReply(add.replyTo(), after -> new Reply.Done());
  }

  private static ReplyEffect<Event, ManagedDeviceState> onClearLogs(
      ManagedDevice entity, ManagedDeviceState state, ClearLogs clear) {
    return state.logs().isEmpty()
        ? EFFECT.reply(clear.replyTo(), new Reply.Done())
        : EFFECT.persist(new LogsCleared()).thenReply(clear.replyTo(), after -> new Reply.Done());
  }

  private static ReplyEffect<Event, ManagedDeviceState> onAddErrorCode(
      ManagedDevice entity, ManagedDeviceState state, AddErrorCode add) {
    return EFFECT
        .persist(new ErrorCodeAdded(add.errorCode()))
        .thenReply(add.replyTo(), after -> new Reply.Done());
  }

  private static ReplyEffect<Event, ManagedDeviceState> onClearErrorCodes(
      ManagedDevice entity, ManagedDeviceState state, ClearErrorCodes clear) {
    return state.errorCodes().isEmpty()
        ? EFFECT.reply(clear.replyTo(), new Reply.Done())
        : EFFECT
            .persist(new ErrorCodesCleared())
            .thenReply(clear.replyTo(), after -> new Reply.Done());
  }

  private static ReplyEffect<Event, ManagedDeviceState> onAttach(
      ManagedDevice entity, ManagedDeviceState state, Attach attach) {
    entity.connection = attach.connection();
    return EFFECT.noReply();
  }

  private static ReplyEffect<Event, ManagedDeviceState> onGetManagement(
      ManagedDevice entity, ManagedDeviceState state, GetManagement get) {
    if (!state.managed()) {
      return EFFECT.reply(
          get.replyTo(),
          new Reply.Rejected(
              Rejection.NOT_FOUND,
              "Device "
                  + entity.device.type()
                  + "/"
                  + entity.device.id()
                  + " is not a managed device"));
    }
    return EFFECT.reply(
        get.replyTo(), new Reply.ManagementView(ManagementMessages.management(state, get.now())));
  }

  private static ReplyEffect<Event, ManagedDeviceState> onGetLogs(
      ManagedDevice entity, ManagedDeviceState state, GetLogs get) {
    return EFFECT.reply(
        get.replyTo(), new Reply.ManagementView(ManagementMessages.logs(state.logs())));
  }

  private static ReplyEffect<Event, ManagedDeviceState> onGetErrorCodes(
      ManagedDevice entity, ManagedDeviceState state, GetErrorCodes get) {
    return EFFECT.reply(
        get.replyTo(), new Reply.ManagementView(ManagementMessages.errorCodes(state.errorCodes())));
  }

  /** Sends {@code message} to the device's connection, if one is known. */
  void send(ToDevice message) {
    if (connection != null) {
      connection.tell(message);
    }
  }

  /** Tells the organization's requests how this device's part of a request ended. */
  void report(ActionOutcome outcome) {
    outcomes.report(
        new ActionRequests.DeviceFinished(outcome, device.org(), device.type(), device.id()));
  }
}
