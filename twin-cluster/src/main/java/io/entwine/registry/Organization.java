package io.entwine.registry;

import io.entwine.credentials.Credentials;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.entity.CommandTable;
import io.entwine.entity.CommandTable.Handler;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.entity.EventTable;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * An organization (IBM) or tenant (Hono): its name, its API keys, whose tokens are kept only as
 * salted slow hashes, its Hono adapter configuration, the device-facing adapters switched off, its
 * message limits, the CAs it trusts for client certificates and its history retention. Everything
 * of one organization is keyed under its id, so nothing crosses organizations.
 *
 * <p>One entity in one file, past 400 lines: its commands, events and state stay nested here
 * because journals and snapshots name them {@code Organization$...}; the dispatch is the shared
 * {@link CommandTable} and {@link EventSourcedEntity} (ADR 0044).
 */
public final class Organization
    extends EventSourcedEntity<
        Organization, Organization.Command, Organization.Event, Organization.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Organization");

  /**
   * The one tag, on {@link OrganizationCreated} only: the organizations list of the read side
   * follows it. Organizations are few and created rarely, so one slice is enough.
   */
  public static final String CREATED_TAG = "organizations";

  private static final Set<String> CREATED_TAGS = Set.of(CREATED_TAG);

  // ---- commands ----

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  public record Create(String name, Instant at, ActorRef<Reply> replyTo) implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record CreateApiKey(
      String key, String secretHash, String description, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  public record ListApiKeys(ActorRef<Reply> replyTo) implements Command {}

  public record RevokeApiKey(String key, Instant at, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Answers Done when {@code token} is the API key's token. {@code verifiedAgainst} is the stored
   * hash the sender already verified the token against (null when it has not).
   */
  public record Authenticate(
      String key, String token, String verifiedAgainst, ActorRef<Reply> replyTo)
      implements Command {}

  /** Sets the tenant's configuration of the Hono HTTP adapter. */
  public record ConfigureHonoHttp(Reply.HonoHttpAdapter config, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /** Switches a device-facing adapter ({@code ibm-http}, {@code ibm-mqtt}) on or off. */
  public record ConfigureAdapter(
      String adapter, boolean enabled, Instant at, ActorRef<Reply> replyTo) implements Command {}

  public record SetLimits(Reply.MessageLimits limits, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * Replaces the CAs the tenant trusts for client certificates; the caller has claimed their
   * subject DNs in {@link TrustedCaIndex} first.
   */
  public record SetTrustedCas(List<Reply.TrustedCa> cas, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /** Sets how long the historian keeps the organization's raw events and roll-ups. */
  public record SetRetention(Reply.HistoryRetention retention, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /** {@link Reply.OrganizationSettings}: adapter configuration, limits and trusted CAs. */
  public record GetSettings(ActorRef<Reply> replyTo) implements Command {}

  /**
   * Counts {@code count} devices about to be registered: Done, or FORBIDDEN (nothing counted) when
   * they would take the organization past its device quota. Done without counting for an
   * organization that does not exist (it has no quota).
   */
  public record ReserveDevices(int count, ActorRef<Reply> replyTo) implements Command {}

  /** Uncounts devices deleted, or reserved and then not registered. Done. */
  public record ReleaseDevices(int count, ActorRef<Reply> replyTo) implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record OrganizationCreated(String id, String name, Instant at) implements Event {}

  public record ApiKeyCreated(String key, String secretHash, String description, Instant at)
      implements Event {}

  public record ApiKeyRevoked(String key, Instant at) implements Event {}

  public record HonoHttpConfigured(Reply.HonoHttpAdapter config, Instant at) implements Event {}

  public record AdapterConfigured(String adapter, boolean enabled, Instant at) implements Event {}

  public record LimitsSet(Reply.MessageLimits limits, Instant at) implements Event {}

  public record TrustedCasSet(List<Reply.TrustedCa> cas, Instant at) implements Event {}

  public record RetentionSet(Reply.HistoryRetention retention, Instant at) implements Event {}

  public record DevicesReserved(int count) implements Event {}

  public record DevicesReleased(int count) implements Event {}

  // ---- state ----

  public record ApiKey(String key, String secretHash, String description, Instant created) {}

  /** {@code devices}: registered devices (and registrations under way) counted for the quota. */
  public record State(
      String name,
      Instant created,
      Instant updated,
      Map<String, ApiKey> apiKeys,
      Reply.OrganizationSettings settings,
      long devices)
      implements CborSerializable {
    public static final State EMPTY = new State(null, null, null, Map.of());

    public State {
      settings = settings == null ? Reply.OrganizationSettings.DEFAULT : settings;
    }

    public State(
        String name,
        Instant created,
        Instant updated,
        Map<String, ApiKey> apiKeys,
        Reply.OrganizationSettings settings) {
      this(name, created, updated, apiKeys, settings, 0);
    }

    public State(String name, Instant created, Instant updated, Map<String, ApiKey> apiKeys) {
      this(name, created, updated, apiKeys, null);
    }

    public boolean exists() {
      return created != null;
    }

    private State withApiKeys(Map<String, ApiKey> keys, Instant at) {
      return new State(name, created, at, Map.copyOf(keys), settings, devices);
    }

    private State withSettings(Reply.OrganizationSettings newSettings, Instant at) {
      return new State(name, created, at, apiKeys, newSettings, devices);
    }

    private State withDevices(long count) {
      return new State(name, created, updated, apiKeys, settings, Math.max(0, count));
    }

    /** The state after {@code event}. */
    public State apply(Event event) {
      return CHANGES.apply(null, this, event);
    }

    private static final EventTable<Void, State, Event> CHANGES =
        EventTable.<Void, State, Event>of(Event.class)
            .on(
                OrganizationCreated.class,
                (none, state, created) ->
                    new State(created.name(), created.at(), created.at(), Map.of()))
            .on(ApiKeyCreated.class, (none, state, created) -> state.withApiKey(created))
            .on(ApiKeyRevoked.class, (none, state, revoked) -> state.withoutApiKey(revoked))
            .on(
                HonoHttpConfigured.class,
                (none, state, configured) ->
                    state.withSettings(
                        state.settings.withHonoHttp(configured.config()), configured.at()))
            .on(
                AdapterConfigured.class,
                (none, state, configured) ->
                    state.withSettings(
                        state.settings.withAdapter(configured.adapter(), configured.enabled()),
                        configured.at()))
            .on(
                LimitsSet.class,
                (none, state, set) ->
                    state.withSettings(state.settings.withLimits(set.limits()), set.at()))
            .on(
                TrustedCasSet.class,
                (none, state, set) ->
                    state.withSettings(state.settings.withTrustedCas(set.cas()), set.at()))
            .on(
                RetentionSet.class,
                (none, state, set) ->
                    state.withSettings(state.settings.withRetention(set.retention()), set.at()))
            .on(
                DevicesReserved.class,
                (none, state, reserved) -> state.withDevices(state.devices + reserved.count()))
            .on(
                DevicesReleased.class,
                (none, state, released) -> state.withDevices(state.devices - released.count()))
            .build();

    private State withApiKey(ApiKeyCreated created) {
      Map<String, ApiKey> keys = new HashMap<>(apiKeys);
      keys.put(
          created.key(),
          new ApiKey(created.key(), created.secretHash(), created.description(), created.at()));
      return withApiKeys(keys, created.at());
    }

    private State withoutApiKey(ApiKeyRevoked revoked) {
      Map<String, ApiKey> keys = new HashMap<>(apiKeys);
      keys.remove(revoked.key());
      return withApiKeys(keys, revoked.at());
    }
  }

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    VerifiedSecrets secrets = Credentials.get(system).verifiedSecrets();
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId(), secrets)));
  }

  public static Behavior<Command> create(String orgId, VerifiedSecrets secrets) {
    return new Organization(orgId, secrets);
  }

  private final String orgId;
  private final VerifiedSecrets secrets;

  private Organization(String orgId, VerifiedSecrets secrets) {
    super(ENTITY_KEY, orgId);
    this.orgId = orgId;
    this.secrets = secrets;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return event instanceof OrganizationCreated ? CREATED_TAGS : Set.of();
  }

  @Override
  protected CommandTable<Organization, Command, Event, State> commandTable() {
    return HANDLERS;
  }

  private static final EffectFactories<Event, State> EFFECT = new EffectFactories<>();

  private static final CommandTable<Organization, Command, Event, State> HANDLERS =
      CommandTable.<Organization, Command, Event, State>of(Command.class)
          .on(Authenticate.class, Organization::onAuthenticate)
          .on(Create.class, Organization::onCreate)
          .on(Get.class, Organization::onGet)
          .on(ReserveDevices.class, Organization::onReserveDevices)
          .on(ReleaseDevices.class, Organization::onReleaseDevices)
          .on(CreateApiKey.class, ifExists(Organization::onCreateApiKey))
          .on(ListApiKeys.class, ifExists(Organization::onListApiKeys))
          .on(RevokeApiKey.class, ifExists(Organization::onRevokeApiKey))
          .on(GetSettings.class, ifExists(Organization::onGetSettings))
          .on(ConfigureHonoHttp.class, ifExists(Organization::onConfigureHonoHttp))
          .on(ConfigureAdapter.class, ifExists(Organization::onConfigureAdapter))
          .on(SetLimits.class, ifExists(Organization::onSetLimits))
          .on(SetTrustedCas.class, ifExists(Organization::onSetTrustedCas))
          .on(SetRetention.class, ifExists(Organization::onSetRetention))
          .build();

  /** {@code handler} for an organization that exists; NOT_FOUND for one that does not. */
  private static <T extends Command> Handler<Organization, T, Event, State> ifExists(
      Handler<Organization, T, Event, State> handler) {
    return (organization, state, command) ->
        state.exists()
            ? handler.handle(organization, state, command)
            : EFFECT.reply(command.replyTo(), organization.notFound());
  }

  private ReplyEffect<Event, State> onGet(State state, Get get) {
    return Effect().reply(get.replyTo(), state.exists() ? info(state) : notFound());
  }

  private ReplyEffect<Event, State> onReleaseDevices(State state, ReleaseDevices release) {
    return state.exists() && state.devices() > 0
        ? Effect()
            .persist(new DevicesReleased(release.count()))
            .thenReply(release.replyTo(), after -> new Reply.Done())
        : Effect().reply(release.replyTo(), new Reply.Done());
  }

  private ReplyEffect<Event, State> onListApiKeys(State state, ListApiKeys list) {
    return Effect().reply(list.replyTo(), apiKeys(state));
  }

  private ReplyEffect<Event, State> onGetSettings(State state, GetSettings get) {
    return Effect().reply(get.replyTo(), state.settings());
  }

  private ReplyEffect<Event, State> onConfigureHonoHttp(State state, ConfigureHonoHttp configure) {
    return Effect()
        .persist(new HonoHttpConfigured(configure.config(), configure.at()))
        .thenReply(configure.replyTo(), State::settings);
  }

  private ReplyEffect<Event, State> onConfigureAdapter(State state, ConfigureAdapter configure) {
    return Effect()
        .persist(new AdapterConfigured(configure.adapter(), configure.enabled(), configure.at()))
        .thenReply(configure.replyTo(), State::settings);
  }

  private ReplyEffect<Event, State> onSetLimits(State state, SetLimits set) {
    return Effect()
        .persist(new LimitsSet(set.limits(), set.at()))
        .thenReply(set.replyTo(), State::settings);
  }

  private ReplyEffect<Event, State> onSetTrustedCas(State state, SetTrustedCas set) {
    return Effect()
        .persist(new TrustedCasSet(set.cas(), set.at()))
        .thenReply(set.replyTo(), State::settings);
  }

  private ReplyEffect<Event, State> onSetRetention(State state, SetRetention set) {
    return Effect()
        .persist(new RetentionSet(set.retention(), set.at()))
        .thenReply(set.replyTo(), State::settings);
  }

  private ReplyEffect<Event, State> onCreate(State state, Create command) {
    if (state.exists()) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.ALREADY_EXISTS, "Organization '" + orgId + "' already exists"));
    }
    return Effect()
        .persist(new OrganizationCreated(orgId, command.name(), command.at()))
        .thenReply(command.replyTo(), this::info);
  }

  private ReplyEffect<Event, State> onReserveDevices(State state, ReserveDevices command) {
    if (!state.exists() || command.count() <= 0) {
      return Effect().reply(command.replyTo(), new Reply.Done());
    }
    long quota = state.settings().limits().maxDevices();
    if (quota > 0 && state.devices() + command.count() > quota) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.FORBIDDEN,
                  "Organization '"
                      + orgId
                      + "' may register at most "
                      + quota
                      + " devices (its quota, set by the operator); it has "
                      + state.devices()
                      + (command.count() == 1
                          ? ""
                          : ", and this would register " + command.count() + " more")
                      + ". Nothing was registered"));
    }
    return Effect()
        .persist(new DevicesReserved(command.count()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private ReplyEffect<Event, State> onCreateApiKey(State state, CreateApiKey command) {
    if (state.apiKeys().containsKey(command.key())) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.ALREADY_EXISTS, "API key '" + command.key() + "' already exists"));
    }
    return Effect()
        .persist(
            new ApiKeyCreated(
                command.key(), command.secretHash(), command.description(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private ReplyEffect<Event, State> onRevokeApiKey(State state, RevokeApiKey command) {
    if (!state.apiKeys().containsKey(command.key())) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.NOT_FOUND,
                  "API key '" + command.key() + "' does not exist in organization " + orgId));
    }
    return Effect()
        .persist(new ApiKeyRevoked(command.key(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private ReplyEffect<Event, State> onAuthenticate(State state, Authenticate command) {
    ApiKey apiKey = state.apiKeys().get(command.key());
    if (apiKey == null) {
      return Effect().reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    if (!secrets.accepts(apiKey.secretHash(), command.token(), command.verifiedAgainst())) {
      return Effect().reply(command.replyTo(), new Reply.NeedsVerification(apiKey.secretHash()));
    }
    return Effect().reply(command.replyTo(), new Reply.Done());
  }

  private Reply.OrganizationInfo info(State state) {
    return new Reply.OrganizationInfo(orgId, state.name(), state.created(), state.updated());
  }

  private static Reply.ApiKeys apiKeys(State state) {
    return new Reply.ApiKeys(
        state.apiKeys().values().stream()
            .sorted(Comparator.comparing(ApiKey::created).thenComparing(ApiKey::key))
            .map(key -> new Reply.ApiKeyInfo(key.key(), key.description(), key.created()))
            .toList());
  }

  private Reply.Rejected notFound() {
    return new Reply.Rejected(Rejection.NOT_FOUND, "Organization '" + orgId + "' does not exist");
  }

  // ---- events applied to state ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return State::apply;
  }
}
