package io.entwine.twin;

import static io.entwine.twin.CredentialHandlers.tokenAccepted;
import static io.entwine.twin.Replies.deviceEnabled;
import static io.entwine.twin.Replies.senderAccepted;

import io.entwine.credentials.Credentials;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.entity.CommandTable;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveFeed;
import io.entwine.live.LiveMessage;
import io.entwine.registry.StateEventIds;
import io.entwine.twin.TwinCommand.ActFor;
import io.entwine.twin.TwinCommand.AddCredential;
import io.entwine.twin.TwinCommand.AttachSession;
import io.entwine.twin.TwinCommand.Authenticate;
import io.entwine.twin.TwinCommand.AuthenticateCertificate;
import io.entwine.twin.TwinCommand.AuthenticateCredential;
import io.entwine.twin.TwinCommand.AwaitCommandResponse;
import io.entwine.twin.TwinCommand.ChangeDesiredState;
import io.entwine.twin.TwinCommand.ChangeGateway;
import io.entwine.twin.TwinCommand.CheckSender;
import io.entwine.twin.TwinCommand.ConfirmAttributesDelivered;
import io.entwine.twin.TwinCommand.ConfirmDelivered;
import io.entwine.twin.TwinCommand.ConfirmDeltaDelivered;
import io.entwine.twin.TwinCommand.Delete;
import io.entwine.twin.TwinCommand.DeliveredThroughGateway;
import io.entwine.twin.TwinCommand.DetachSession;
import io.entwine.twin.TwinCommand.Get;
import io.entwine.twin.TwinCommand.GetAttributes;
import io.entwine.twin.TwinCommand.GetDeviceState;
import io.entwine.twin.TwinCommand.GetGatewayLinks;
import io.entwine.twin.TwinCommand.GetLastEvents;
import io.entwine.twin.TwinCommand.GetPsk;
import io.entwine.twin.TwinCommand.GetState;
import io.entwine.twin.TwinCommand.ListCommands;
import io.entwine.twin.TwinCommand.ListCredentials;
import io.entwine.twin.TwinCommand.MergeReportedFromEvents;
import io.entwine.twin.TwinCommand.OfferCommand;
import io.entwine.twin.TwinCommand.OfferStateDelta;
import io.entwine.twin.TwinCommand.OfferWaitingTo;
import io.entwine.twin.TwinCommand.Passivate;
import io.entwine.twin.TwinCommand.PatchReportedState;
import io.entwine.twin.TwinCommand.PatchReportedStates;
import io.entwine.twin.TwinCommand.QueueCommand;
import io.entwine.twin.TwinCommand.RecordApplicationEvent;
import io.entwine.twin.TwinCommand.RecordEvent;
import io.entwine.twin.TwinCommand.RecordEvents;
import io.entwine.twin.TwinCommand.RecordVerifiedEvent;
import io.entwine.twin.TwinCommand.Register;
import io.entwine.twin.TwinCommand.RemoveCredential;
import io.entwine.twin.TwinCommand.RenewWait;
import io.entwine.twin.TwinCommand.RepublishProfile;
import io.entwine.twin.TwinCommand.RespondToCommand;
import io.entwine.twin.TwinCommand.SetAttributes;
import io.entwine.twin.TwinCommand.SetGateways;
import io.entwine.twin.TwinCommand.StopWaiting;
import io.entwine.twin.TwinCommand.TakeDownlink;
import io.entwine.twin.TwinCommand.ToDevice;
import io.entwine.twin.TwinCommand.Update;
import io.entwine.twin.TwinCommand.UpdateProfile;
import io.entwine.twin.TwinCommand.WaitForCommand;
import io.entwine.twin.TwinEvent.DeviceDeleted;
import io.entwine.twin.TwinEvent.DeviceRegistered;
import io.entwine.twin.TwinEvent.EnabledChanged;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import io.entwine.twin.TwinEvent.MetadataUpdated;
import io.entwine.twin.TwinEvent.ProfileUpdated;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The digital twin of one device, as a sharded event-sourced entity: its {@link TwinCommand}s are
 * handled by handler classes of their concern (registration, readings, credentials and gateways,
 * device commands, attributes, the state document) through one table built once per JVM, its {@link
 * TwinEvent}s fold into its {@link TwinState}. The instance holds only what the handlers need of
 * this one twin: its device, settings, and the parties that wait at it (never persisted). Every
 * reply that acknowledges data is sent after the persist.
 *
 * <p>(Over 400 lines as one responsibility: the table that routes every command to its handler and
 * the entity's wiring (recovery, tagging, snapshots, live publishing) read best together; the
 * handling itself lives in the handler classes.)
 */
public final class DeviceTwin
    extends EventSourcedEntity<DeviceTwin, TwinCommand, TwinEvent, TwinState> {

  public static final EntityTypeKey<TwinCommand> ENTITY_KEY =
      EntityTypeKey.create(TwinCommand.class, "DeviceTwin");

  /** Fixed once: events are tagged into this many slices, one projection instance per slice. */
  public static final int TAG_SLICES = 4;

  /**
   * The tags of recorded events and of the reported patches a device sends to its state, one per
   * slice: the historian reads them.
   */
  public static final List<String> RECORDED_TAGS = sliceTags("twin-");

  /**
   * The tags of the events that change a device's registration, one per slice: the registry reads
   * them. Kept apart from recorded events so that the registry does not read (and the journal does
   * not re-read for it) every event a device sends; other events carry no tag.
   */
  public static final List<String> REGISTRY_TAGS = sliceTags("registry-");

  /**
   * The most readings one {@link EventsRecorded} holds; a longer batch is persisted as several. The
   * historian numbers a reading {@code sequenceNr * READINGS_PER_EVENT + index}.
   */
  public static final int READINGS_PER_EVENT = 1024;

  private static final List<Set<String>> RECORDED_TAG_SETS =
      RECORDED_TAGS.stream().map(Set::of).toList();
  private static final List<Set<String>> REGISTRY_TAG_SETS =
      REGISTRY_TAGS.stream().map(Set::of).toList();

  private static List<String> sliceTags(String prefix) {
    return IntStream.range(0, TAG_SLICES).mapToObj(slice -> prefix + slice).toList();
  }

  /** The effects every handler builds; stateless, so one for all twins. */
  static final EffectFactories<TwinEvent, TwinState> EFFECT = new EffectFactories<>();

  /**
   * Every command's handler, by concern; a guard in front of a handler answers the refusal (wrong
   * token, unknown or disabled device, a gateway not in the device's via) so that the handler holds
   * only what it does when accepted.
   */
  private static final CommandTable<DeviceTwin, TwinCommand, TwinEvent, TwinState> HANDLERS =
      CommandTable.<DeviceTwin, TwinCommand, TwinEvent, TwinState>of(TwinCommand.class)
          .on(Register.class, RegistrationHandlers::onRegister)
          .on(Get.class, RegistrationHandlers::onGet)
          .on(Update.class, RegistrationHandlers::onUpdate)
          .on(UpdateProfile.class, RegistrationHandlers::onUpdateProfile)
          .on(RepublishProfile.class, RegistrationHandlers::onRepublishProfile)
          .on(Delete.class, RegistrationHandlers::onDelete)
          .on(RecordEvent.class, tokenAccepted(ReadingHandlers::onRecordEvent))
          .on(RecordEvents.class, tokenAccepted(ReadingHandlers::onRecordEvents))
          .on(
              RecordApplicationEvent.class,
              deviceEnabled(ReadingHandlers::onRecordApplicationEvent))
          .on(
              RecordVerifiedEvent.class,
              senderAccepted(RecordVerifiedEvent::gateway, ReadingHandlers::onRecordVerifiedEvent))
          .on(
              CheckSender.class,
              senderAccepted(CheckSender::gateway, CredentialHandlers::onCheckSender))
          .on(GetLastEvents.class, ReadingHandlers::onGetLastEvents)
          .on(Authenticate.class, tokenAccepted(CredentialHandlers::onAuthenticate))
          .on(AuthenticateCredential.class, CredentialHandlers::onAuthenticateCredential)
          .on(AuthenticateCertificate.class, CredentialHandlers::onAuthenticateCertificate)
          .on(GetPsk.class, CredentialHandlers::onGetPsk)
          .on(AddCredential.class, CredentialHandlers::onAddCredential)
          .on(RemoveCredential.class, CredentialHandlers::onRemoveCredential)
          .on(ListCredentials.class, CredentialHandlers::onListCredentials)
          .on(SetGateways.class, CredentialHandlers::onSetGateways)
          .on(ChangeGateway.class, CredentialHandlers::onChangeGateway)
          .on(GetGatewayLinks.class, CredentialHandlers::onGetGatewayLinks)
          .on(ActFor.class, CredentialHandlers::onActFor)
          .on(QueueCommand.class, CommandQueueHandlers::onQueueCommand)
          .on(ListCommands.class, CommandQueueHandlers::onListCommands)
          .on(AttachSession.class, CommandQueueHandlers::onAttachSession)
          .on(DetachSession.class, CommandQueueHandlers::onDetachSession)
          .on(ConfirmDelivered.class, CommandQueueHandlers::onConfirmDelivered)
          .on(AwaitCommandResponse.class, CommandQueueHandlers::onAwaitResponse)
          .on(
              RespondToCommand.class,
              senderAccepted(RespondToCommand::gateway, CommandQueueHandlers::onRespond))
          .on(WaitForCommand.class, CommandWaitHandlers::onWaitForCommand)
          .on(RenewWait.class, CommandWaitHandlers::onRenewWait)
          .on(StopWaiting.class, CommandWaitHandlers::onStopWaiting)
          .on(OfferCommand.class, CommandWaitHandlers::onOfferCommand)
          .on(OfferStateDelta.class, CommandWaitHandlers::onOfferStateDelta)
          .on(OfferWaitingTo.class, CommandWaitHandlers::onOfferWaitingTo)
          .on(DeliveredThroughGateway.class, CommandWaitHandlers::onDeliveredThroughGateway)
          .on(SetAttributes.class, AttributeHandlers::onSetAttributes)
          .on(GetAttributes.class, AttributeHandlers::onGetAttributes)
          .on(TakeDownlink.class, AttributeHandlers::onTakeDownlink)
          .on(ConfirmAttributesDelivered.class, AttributeHandlers::onConfirmAttributesDelivered)
          .on(ConfirmDeltaDelivered.class, AttributeHandlers::onConfirmDeltaDelivered)
          .on(GetState.class, StateHandlers::onGetState)
          .on(GetDeviceState.class, tokenAccepted(StateHandlers::onGetDeviceState))
          .on(ChangeDesiredState.class, StateHandlers::onChangeDesiredState)
          .on(PatchReportedState.class, tokenAccepted(StateHandlers::onPatchReportedState))
          .on(PatchReportedStates.class, tokenAccepted(StateHandlers::onPatchReportedStates))
          .on(
              MergeReportedFromEvents.class,
              deviceEnabled(StateHandlers::onMergeReportedFromEvents))
          .on(Passivate.class, DeviceTwin::onPassivate)
          .build();

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    TwinSettings settings = TwinSettings.from(system.settings().config());
    VerifiedSecrets secrets = Credentials.get(system).verifiedSecrets();
    LiveFeed liveFeed = LiveFeed.get(system);
    ClusterSharding sharding = ClusterSharding.get(system);
    // the recording path asks it for the event ids that report state (StateRequests)
    StateEventIds.TABLE.init(system);
    BiConsumer<DeviceKey, TwinCommand> tellTwin =
        (key, command) -> sharding.entityRefFor(ENTITY_KEY, key.entityId()).tell(command);
    Wiring wiring = new Wiring(settings, secrets, liveFeed::publish, tellTwin);
    sharding.init(
        Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId(), wiring))
            // Without a stop message sharding wraps every twin in an interceptor of its own that
            // turns a PoisonPill into a stop (≈ 100 bytes a resident twin, docs/adr/0059).
            .withStopMessage(Passivate.INSTANCE));
  }

  /** A twin whose live messages go nowhere (entity tests). */
  public static Behavior<TwinCommand> create(
      String entityId, TwinSettings settings, VerifiedSecrets secrets) {
    return create(entityId, settings, secrets, message -> {});
  }

  public static Behavior<TwinCommand> create(
      String entityId,
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive) {
    return create(entityId, settings, secrets, publishLive, (key, command) -> {});
  }

  /**
   * @param tellTwin sends a command to another twin (a command offered to a gateway)
   */
  public static Behavior<TwinCommand> create(
      String entityId,
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive,
      BiConsumer<DeviceKey, TwinCommand> tellTwin) {
    return create(entityId, new Wiring(settings, secrets, publishLive, tellTwin));
  }

  private static Behavior<TwinCommand> create(String entityId, Wiring wiring) {
    return new DeviceTwin(DeviceKey.fromEntityId(entityId).sharingOrgAndType(), wiring);
  }

  /** The tag of the device's recorded events; its slice names the device's historian slice. */
  public static String tagFor(String entityId) {
    return RECORDED_TAGS.get(sliceOf(entityId));
  }

  private static int sliceOf(String entityId) {
    return Math.floorMod(entityId.hashCode(), TAG_SLICES);
  }

  /**
   * What every twin of a node shares: one instance per node (per {@link #create} call in entity
   * tests), so that a resident twin carries one reference instead of one per part.
   */
  private record Wiring(
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive,
      BiConsumer<DeviceKey, TwinCommand> tellTwin,
      EventHandler<TwinState, TwinEvent> eventHandler,
      RetentionCriteria retention) {
    Wiring(
        TwinSettings settings,
        VerifiedSecrets secrets,
        Consumer<LiveMessage> publishLive,
        BiConsumer<DeviceKey, TwinCommand> tellTwin) {
      this(
          settings,
          secrets,
          publishLive,
          tellTwin,
          (state, event) -> state.apply(event, settings),
          // Read once per twin by Pekko and kept in its behaviour: one shared object instead of
          // one per resident twin (docs/adr/0075).
          RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots()));
    }
  }

  // ---- what the handlers get of this twin ----

  private final DeviceKey device;
  private final Wiring wiring;
  private final int slice;
  // Null until a command wait or response wait needs it: few resident twins ever have one.
  private CommandWaiters waiters;
  // The connected device session taking commands; transient by design (see AttachSession).
  private ActorRef<ToDevice> session;
  // Set when the actor starts; read for the sequence number of what was just written. The field
  // fills what was alignment padding of this object, so a resident twin is no larger for it.
  private ActorContext<TwinCommand> context;

  private DeviceTwin(DeviceKey device, Wiring wiring) {
    super(ENTITY_KEY, device.entityId());
    this.device = device;
    this.wiring = wiring;
    this.slice = sliceOf(device.entityId());
  }

  DeviceKey device() {
    return device;
  }

  TwinSettings settings() {
    return wiring.settings();
  }

  VerifiedSecrets secrets() {
    return wiring.secrets();
  }

  /** Hands {@code message} to live subscribers (cluster pub-sub); best effort. */
  void publish(LiveMessage message) {
    wiring.publishLive().accept(message);
  }

  /** The sequence number of the last journal event written, in a handler's side effect. */
  long lastSequenceNr() {
    return lastSequenceNumber(context);
  }

  @Override
  public Behavior<TwinCommand> apply(TypedActorContext<TwinCommand> actorContext) {
    context = actorContext.asJava();
    return super.apply(actorContext);
  }

  /** Sends {@code command} to another twin (e.g. a command offered to a gateway). */
  void tell(DeviceKey twin, TwinCommand command) {
    wiring.tellTwin().accept(twin, command);
  }

  CommandWaiters waiters() {
    if (waiters == null) {
      waiters = new CommandWaiters();
    }
    return waiters;
  }

  ActorRef<ToDevice> session() {
    return session;
  }

  void session(ActorRef<ToDevice> attached) {
    session = attached;
  }

  // ---- the behaviour ----

  @Override
  public TwinState emptyState() {
    return TwinState.EMPTY;
  }

  @Override
  public Set<String> tagsFor(TwinEvent event) {
    if (event instanceof EventRecorded
        || event instanceof EventsRecorded
        || (event instanceof ReportedStatePatched patched && !patched.fromEvents())) {
      return RECORDED_TAG_SETS.get(slice);
    }
    if (event instanceof DeviceRegistered
        || event instanceof MetadataUpdated
        || event instanceof ProfileUpdated
        || event instanceof EnabledChanged
        || event instanceof DeviceDeleted) {
      return REGISTRY_TAG_SETS.get(slice);
    }
    return Set.of();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return wiring.retention();
  }

  @Override
  protected CommandTable<DeviceTwin, TwinCommand, TwinEvent, TwinState> commandTable() {
    return HANDLERS;
  }

  @Override
  public EventHandler<TwinState, TwinEvent> eventHandler() {
    return wiring.eventHandler();
  }

  /**
   * Sharding's stop message (passivation, hand-off): the twin stops once what it persists is
   * written, like a PoisonPill would stop it; commands that arrived before it were handled.
   */
  private static ReplyEffect<TwinEvent, TwinState> onPassivate(
      DeviceTwin twin, TwinState state, Passivate command) {
    return EFFECT.stop().thenNoReply();
  }
}
