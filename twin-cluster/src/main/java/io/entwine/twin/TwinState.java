package io.entwine.twin;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.entity.EventTable;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinEvent.ActingForChanged;
import io.entwine.twin.TwinEvent.AttributesDelivered;
import io.entwine.twin.TwinEvent.AttributesUpdated;
import io.entwine.twin.TwinEvent.CommandDelivered;
import io.entwine.twin.TwinEvent.CommandExpired;
import io.entwine.twin.TwinEvent.CommandQueued;
import io.entwine.twin.TwinEvent.CommandResponded;
import io.entwine.twin.TwinEvent.CredentialAdded;
import io.entwine.twin.TwinEvent.CredentialRemoved;
import io.entwine.twin.TwinEvent.DesiredStatePatched;
import io.entwine.twin.TwinEvent.DesiredStateReplaced;
import io.entwine.twin.TwinEvent.DeviceDeleted;
import io.entwine.twin.TwinEvent.DeviceRegistered;
import io.entwine.twin.TwinEvent.EnabledChanged;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import io.entwine.twin.TwinEvent.GatewaysSet;
import io.entwine.twin.TwinEvent.MetadataUpdated;
import io.entwine.twin.TwinEvent.NonceUsed;
import io.entwine.twin.TwinEvent.ProfileUpdated;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a twin knows of its device: registration, the last event per event id, its commands,
 * credentials, gateways, used nonces, shared attributes and its state document (null until the
 * device or an application sets one, so a twin without state keeps no object for it). Immutable; it
 * changes only through {@link #apply}. {@link #EMPTY} and the empty parts are shared singletons, so
 * a twin keeps on its heap only what its device has set. Persisted as the snapshot: the components
 * keep their names.
 */
public record TwinState(
    Registration registration,
    Map<String, Reply.LastEvent> lastEvents,
    long eventCount,
    CommandQueue commands,
    DeviceCredentials credentials,
    List<DeviceKey> via,
    Map<String, Instant> nonces,
    List<DeviceKey> actsFor,
    SharedAttributes attributes,
    StateDocument stateDocument)
    implements CborSerializable {

  public static final TwinState EMPTY =
      new TwinState(
          null,
          Map.of(),
          0,
          CommandQueue.EMPTY,
          DeviceCredentials.NONE,
          List.of(),
          Map.of(),
          List.of(),
          SharedAttributes.NONE,
          null);

  public TwinState {
    commands = commands == null ? CommandQueue.EMPTY : commands;
    credentials = credentials == null ? DeviceCredentials.NONE : credentials;
    via = via == null ? List.of() : via;
    nonces = nonces == null ? Map.of() : nonces;
    actsFor = actsFor == null ? List.of() : actsFor;
    attributes = attributes == null ? SharedAttributes.NONE : attributes;
  }

  public TwinState(
      Registration registration,
      Map<String, Reply.LastEvent> lastEvents,
      long eventCount,
      CommandQueue commands) {
    this(registration, lastEvents, eventCount, commands, null, null, null, null, null, null);
  }

  /**
   * {@code profile} (IBM v0002 deviceInfo and location) is null for a device that has neither: the
   * reference fits in the padding of this object's 8-byte alignment, so it costs no heap (a
   * registration without it is 33 bytes, padded to 40, with it 37); snapshots written before it
   * existed read it as null.
   */
  public record Registration(
      String secretHash,
      JsonNode metadata,
      boolean enabled,
      String registeredBy,
      String registeredByType,
      Instant registeredAt,
      DeviceProfile profile) {

    public Registration {
      // Who registered is one of a few API keys or users for millions of resident twins: one
      // shared string each instead of a copy per twin, also when read from a snapshot.
      registeredBy = registeredBy == null ? null : registeredBy.intern();
      registeredByType = registeredByType == null ? null : registeredByType.intern();
      profile = profile == null || profile.isEmpty() ? null : profile;
    }

    public Registration(
        String secretHash,
        JsonNode metadata,
        boolean enabled,
        String registeredBy,
        String registeredByType,
        Instant registeredAt) {
      this(secretHash, metadata, enabled, registeredBy, registeredByType, registeredAt, null);
    }

    Registration withMetadata(JsonNode newMetadata) {
      return new Registration(
          secretHash, newMetadata, enabled, registeredBy, registeredByType, registeredAt, profile);
    }

    Registration withEnabled(boolean newEnabled) {
      return new Registration(
          secretHash, metadata, newEnabled, registeredBy, registeredByType, registeredAt, profile);
    }

    Registration withProfile(DeviceProfile change) {
      DeviceProfile updated = profile == null ? change : profile.with(change);
      return new Registration(
          secretHash, metadata, enabled, registeredBy, registeredByType, registeredAt, updated);
    }
  }

  public boolean isRegistered() {
    return registration != null;
  }

  boolean nonceSeen(String nonce, Instant now) {
    Instant until = nonces.get(nonce);
    return until != null && until.isAfter(now);
  }

  /** The state after {@code event}; {@code settings} bound what the state keeps. */
  public TwinState apply(TwinEvent event, TwinSettings settings) {
    return CHANGES.apply(settings, this, event);
  }

  private static final EventTable<TwinSettings, TwinState, TwinEvent> CHANGES =
      EventTable.<TwinSettings, TwinState, TwinEvent>of(TwinEvent.class)
          .on(DeviceRegistered.class, (settings, state, registered) -> registered(registered))
          .on(
              MetadataUpdated.class,
              (settings, state, updated) ->
                  state.with(c -> c.registration = c.registration.withMetadata(updated.metadata())))
          .on(
              ProfileUpdated.class,
              (settings, state, updated) ->
                  state.with(c -> c.registration = c.registration.withProfile(updated.change())))
          .on(
              EnabledChanged.class,
              (settings, state, changed) ->
                  state.with(c -> c.registration = c.registration.withEnabled(changed.enabled())))
          .on(DeviceDeleted.class, (settings, state, deleted) -> EMPTY)
          .on(
              EventRecorded.class,
              (settings, state, recorded) ->
                  state.withLastEvent(recorded, settings.maxCachedEventIds()))
          .on(EventsRecorded.class, TwinState::recordedAll)
          .on(NonceUsed.class, (settings, state, used) -> state.withNonce(used))
          .on(CommandQueued.class, (settings, state, queued) -> state.withQueued(queued))
          .on(
              CommandDelivered.class,
              (settings, state, delivered) ->
                  state.with(
                      c ->
                          c.commands =
                              c.commands.withDelivered(
                                  delivered.commandId(), delivered.receiver())))
          .on(
              CommandExpired.class,
              (settings, state, expired) ->
                  state.with(
                      c ->
                          c.commands =
                              c.commands.withStatus(
                                  expired.commandId(), CommandQueue.Status.EXPIRED)))
          .on(CommandResponded.class, (settings, state, responded) -> state.withResponse(responded))
          .on(CredentialAdded.class, (settings, state, added) -> state.withCredential(added))
          .on(
              CredentialRemoved.class,
              (settings, state, removed) ->
                  state.with(
                      c -> c.credentials = c.credentials.without(removed.type(), removed.authId())))
          .on(
              GatewaysSet.class,
              (settings, state, set) -> state.with(c -> c.via = List.copyOf(set.via())))
          .on(ActingForChanged.class, (settings, state, changed) -> state.withActingFor(changed))
          .on(
              AttributesUpdated.class,
              (settings, state, updated) ->
                  state.with(c -> c.attributes = c.attributes.with(updated.change())))
          .on(
              AttributesDelivered.class,
              (settings, state, delivered) ->
                  state.with(c -> c.attributes = c.attributes.deliveredUpTo(delivered.version())))
          .on(
              ReportedStatePatched.class,
              (settings, state, patched) ->
                  state.withStateDocument(
                      StateDocument.of(state).withReported(patched.patch(), patched.at()),
                      patched.version()))
          .on(
              DesiredStatePatched.class,
              (settings, state, patched) ->
                  state.withStateDocument(
                      StateDocument.of(state).withDesired(patched.patch(), false, patched.at()),
                      patched.version()))
          .on(
              DesiredStateReplaced.class,
              (settings, state, replaced) ->
                  state.withStateDocument(
                      StateDocument.of(state).withDesired(replaced.desired(), true, replaced.at()),
                      replaced.version()))
          .build();

  private static TwinState registered(DeviceRegistered registered) {
    return new TwinState(
        new Registration(
            registered.secretHash(),
            registered.metadata(),
            true,
            registered.registeredBy(),
            registered.registeredByType(),
            registered.at()),
        Map.of(),
        0,
        CommandQueue.EMPTY);
  }

  private static TwinState recordedAll(
      TwinSettings settings, TwinState state, EventsRecorded batch) {
    TwinState updated = state;
    for (EventRecorded recorded : batch.readings()) {
      updated = updated.withLastEvent(recorded, settings.maxCachedEventIds());
    }
    return updated;
  }

  /**
   * Keeps the newest event of each event id; beyond {@code maxEventIds} ids, the id that was
   * received longest ago goes. Arrival order, not device time: a device clock cannot evict the
   * event just recorded. The map's order is the arrival order and survives snapshots.
   */
  private TwinState withLastEvent(EventRecorded recorded, int maxEventIds) {
    LinkedHashMap<String, Reply.LastEvent> updated = new LinkedHashMap<>(lastEvents);
    updated.remove(recorded.eventId());
    updated.put(
        recorded.eventId(),
        new Reply.LastEvent(
            recorded.eventId(), recorded.format(), recorded.payload(), recorded.timestamp()));
    if (updated.size() > maxEventIds) {
      updated.remove(updated.keySet().iterator().next());
    }
    return with(
        c -> {
          c.lastEvents = Collections.unmodifiableMap(updated);
          c.eventCount++;
        });
  }

  /** Remembers a nonce until it expires, forgetting those expired when it was used. */
  private TwinState withNonce(NonceUsed used) {
    Map<String, Instant> kept = new HashMap<>();
    nonces.forEach(
        (nonce, until) -> {
          if (until.isAfter(used.at())) {
            kept.put(nonce, until);
          }
        });
    kept.put(used.nonce(), used.expiresAt());
    return with(c -> c.nonces = Map.copyOf(kept));
  }

  private TwinState withQueued(CommandQueued queued) {
    CommandQueue.QueuedCommand command =
        new CommandQueue.QueuedCommand(
            queued.commandId(),
            queued.command(),
            queued.format(),
            queued.payload(),
            queued.queuedAt(),
            queued.expiresAt(),
            CommandQueue.Status.QUEUED,
            null,
            null);
    return with(c -> c.commands = c.commands.withQueued(command));
  }

  private TwinState withResponse(CommandResponded responded) {
    CommandQueue.Response response =
        new CommandQueue.Response(
            responded.status(), responded.format(), responded.payload(), responded.at());
    return with(c -> c.commands = c.commands.withResponse(responded.commandId(), response));
  }

  private TwinState withCredential(CredentialAdded added) {
    DeviceCredentials.Credential credential =
        new DeviceCredentials.Credential(
            added.type(), added.authId(), added.secretHash(), added.encryptedSecret(), added.at());
    return with(c -> c.credentials = c.credentials.with(credential));
  }

  private TwinState withActingFor(ActingForChanged changed) {
    List<DeviceKey> updated = new ArrayList<>(actsFor);
    updated.remove(changed.device());
    if (changed.acting()) {
      updated.add(changed.device());
    }
    return with(c -> c.actsFor = List.copyOf(updated));
  }

  /**
   * The state document {@code changed} made (this one when it changed nothing), at {@code version}.
   */
  private TwinState withStateDocument(Optional<StateDocument> changed, long version) {
    StateDocument document = changed.orElse(StateDocument.of(this)).atVersion(version);
    return with(c -> c.stateDocument = document);
  }

  /** This state with the parts {@code change} sets on a copy of it. */
  private TwinState with(Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /**
   * The one place a changed state is made: a change copies the state, sets the parts its event
   * changes and builds. Short-lived, so the state itself stays one flat record (the snapshot's
   * shape, and no extra objects per resident twin).
   */
  private static final class Copy {
    private Registration registration;
    private Map<String, Reply.LastEvent> lastEvents;
    private long eventCount;
    private CommandQueue commands;
    private DeviceCredentials credentials;
    private List<DeviceKey> via;
    private Map<String, Instant> nonces;
    private List<DeviceKey> actsFor;
    private SharedAttributes attributes;
    private StateDocument stateDocument;

    private Copy(TwinState state) {
      registration = state.registration;
      lastEvents = state.lastEvents;
      eventCount = state.eventCount;
      commands = state.commands;
      credentials = state.credentials;
      via = state.via;
      nonces = state.nonces;
      actsFor = state.actsFor;
      attributes = state.attributes;
      stateDocument = state.stateDocument;
    }

    private TwinState build() {
      return new TwinState(
          registration,
          lastEvents,
          eventCount,
          commands,
          credentials,
          via,
          nonces,
          actsFor,
          attributes,
          stateDocument);
    }
  }
}
