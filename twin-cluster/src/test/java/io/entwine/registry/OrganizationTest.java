package io.entwine.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.credentials.SecretHasher;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.testing.EventSourcedTestSystem;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OrganizationTest {
  private static final String ORG = "myorg";
  private static final String KEY = "a-myorg-abcdefghij";
  private static final String TOKEN = "api-token-1234567890";
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final SecretHasher HASHER = new SecretHasher(1000);

  @RegisterExtension
  static final EventSourcedTestSystem testKit = new EventSourcedTestSystem("OrganizationTest");

  private VerifiedSecrets secrets;
  private String secretHash;
  private EventSourcedBehaviorTestKit<Organization.Command, Organization.Event, Organization.State>
      org;

  @BeforeEach
  void freshOrganization() {
    secrets = new VerifiedSecrets(HASHER, Runnable::run, 1000);
    secretHash = HASHER.hash(TOKEN);
    org = EventSourcedBehaviorTestKit.create(testKit.system(), Organization.create(ORG, secrets));
    org.clear();
  }

  @Test
  void createPersistsOrganizationCreatedAndRepliesOrganizationInfo() {
    var result = run(replyTo -> new Organization.Create("My Org", T0, replyTo));

    assertEquals(List.of(new Organization.OrganizationCreated(ORG, "My Org", T0)), result.events());
    assertEquals(new Reply.OrganizationInfo(ORG, "My Org", T0, T0), result.reply());
    assertEquals(
        new Reply.OrganizationInfo(ORG, "My Org", T0, T0),
        run(Organization.Get::new).reply(),
        "Get answers the same");
  }

  @Test
  void tagsOnlyTheCreationForTheOrganizationsList() {
    Organization organization = (Organization) Organization.create(ORG, secrets);

    assertEquals(
        Set.of(Organization.CREATED_TAG),
        organization.tagsFor(new Organization.OrganizationCreated(ORG, "My Org", T0)));
    assertEquals(Set.of(), organization.tagsFor(new Organization.ApiKeyRevoked("a-k", T0)));
    assertEquals(Set.of(), organization.tagsFor(new Organization.DevicesReserved(1)));
  }

  @Test
  void rejectsSecondCreateAsAlreadyExistsAndPersistsNothing() {
    create();

    var again = run(replyTo -> new Organization.Create("Other", T0.plusSeconds(5), replyTo));

    assertTrue(again.hasNoEvents());
    assertEquals(Rejection.ALREADY_EXISTS, rejection(again.reply()));
    assertEquals("My Org", org.getState().name());
  }

  @Test
  void commandsToAMissingOrganizationAreNotFound() {
    List<Function<ActorRef<Reply>, Organization.Command>> commands =
        List.of(
            Organization.Get::new,
            Organization.ListApiKeys::new,
            replyTo -> new Organization.CreateApiKey(KEY, secretHash, "ci", T0, replyTo),
            replyTo -> new Organization.RevokeApiKey(KEY, T0, replyTo));

    for (var command : commands) {
      var result = run(command);
      assertTrue(result.hasNoEvents());
      assertEquals(Rejection.NOT_FOUND, rejection(result.reply()), result.command().toString());
    }
  }

  @Test
  void authenticateAgainstAMissingOrganizationIsUnauthorized() {
    var result = run(replyTo -> new Organization.Authenticate(KEY, TOKEN, null, replyTo));

    // Not NOT_FOUND: organizations cannot be enumerated with API keys.
    assertEquals(Rejection.UNAUTHORIZED, rejection(result.reply()));
  }

  @Test
  void createApiKeyPersistsOnlyTheHash() {
    create();

    var result = createApiKey(KEY, "ci pipeline", T0.plusSeconds(1));

    assertEquals(
        List.of(new Organization.ApiKeyCreated(KEY, secretHash, "ci pipeline", T0.plusSeconds(1))),
        result.events());
    assertEquals(new Reply.Done(), result.reply());
    assertFalse(result.events().toString().contains(TOKEN));
    assertEquals(T0.plusSeconds(1), result.state().updated());
  }

  @Test
  void rejectsApiKeyThatAlreadyExists() {
    create();
    createApiKey(KEY, "ci pipeline", T0);

    var again = createApiKey(KEY, "another", T0.plusSeconds(1));

    assertTrue(again.hasNoEvents());
    assertEquals(Rejection.ALREADY_EXISTS, rejection(again.reply()));
  }

  @Test
  void listsApiKeysInCreationOrderWithoutSecrets() {
    create();
    createApiKey("a-myorg-zzzzzzzzzz", "first", T0.plusSeconds(1));
    createApiKey("a-myorg-aaaaaaaaaa", "second", T0.plusSeconds(2));

    var result = run(Organization.ListApiKeys::new);

    assertTrue(result.hasNoEvents());
    assertEquals(
        new Reply.ApiKeys(
            List.of(
                new Reply.ApiKeyInfo("a-myorg-zzzzzzzzzz", "first", T0.plusSeconds(1)),
                new Reply.ApiKeyInfo("a-myorg-aaaaaaaaaa", "second", T0.plusSeconds(2)))),
        result.reply());
    assertFalse(result.reply().toString().contains(secretHash), "no hash in the listing");
  }

  @Test
  void revokeApiKeyPersistsApiKeyRevokedAndRemovesIt() {
    create();
    createApiKey(KEY, "ci pipeline", T0);

    var result = run(replyTo -> new Organization.RevokeApiKey(KEY, T0.plusSeconds(9), replyTo));

    assertEquals(List.of(new Organization.ApiKeyRevoked(KEY, T0.plusSeconds(9))), result.events());
    assertEquals(new Reply.Done(), result.reply());
    assertEquals(new Reply.ApiKeys(List.of()), run(Organization.ListApiKeys::new).reply());
  }

  @Test
  void revokeOfUnknownApiKeyIsNotFound() {
    create();

    var result = run(replyTo -> new Organization.RevokeApiKey(KEY, T0, replyTo));

    assertTrue(result.hasNoEvents());
    assertEquals(Rejection.NOT_FOUND, rejection(result.reply()));
  }

  @Test
  void authenticateWithUnknownKeyIsUnauthorized() {
    create();
    createApiKey(KEY, "ci", T0);

    var result = authenticate("a-myorg-unknown000", TOKEN);

    assertTrue(result.hasNoEvents());
    assertEquals(Rejection.UNAUTHORIZED, rejection(result.reply()));
  }

  @Test
  void authenticateWithUnverifiedTokenNeedsVerification() {
    create();
    createApiKey(KEY, "ci", T0);

    var result = authenticate(KEY, TOKEN);

    assertTrue(result.hasNoEvents());
    assertEquals(new Reply.NeedsVerification(secretHash), result.reply());
  }

  @Test
  void authenticateWithVerifiedTokenIsDone() {
    create();
    createApiKey(KEY, "ci", T0);

    assertTrue(verify(secretHash, TOKEN));
    var result = authenticate(KEY, TOKEN);

    assertTrue(result.hasNoEvents());
    assertEquals(new Reply.Done(), result.reply());
  }

  @Test
  void rejectsApiKeyWithWrongToken() {
    create();
    createApiKey(KEY, "ci", T0);

    assertFalse(verify(secretHash, "wrong-token-12345678"));
    var result = authenticate(KEY, "wrong-token-12345678");

    assertEquals(new Reply.NeedsVerification(secretHash), result.reply());
  }

  @Test
  void revokedKeyIsUnauthorizedEvenWithAVerifiedToken() {
    create();
    createApiKey(KEY, "ci", T0);
    verify(secretHash, TOKEN);
    assertEquals(new Reply.Done(), authenticate(KEY, TOKEN).reply());

    run(replyTo -> new Organization.RevokeApiKey(KEY, T0.plusSeconds(1), replyTo));
    var result = authenticate(KEY, TOKEN);

    assertEquals(Rejection.UNAUTHORIZED, rejection(result.reply()));
  }

  @Test
  void recreatedKeyWithNewTokenNeedsVerificationAgain() {
    create();
    createApiKey(KEY, "ci", T0);
    verify(secretHash, TOKEN);
    run(replyTo -> new Organization.RevokeApiKey(KEY, T0.plusSeconds(1), replyTo));

    secretHash = HASHER.hash("rotated-token-123456");
    createApiKey(KEY, "ci", T0.plusSeconds(2));

    assertEquals(new Reply.NeedsVerification(secretHash), authenticate(KEY, TOKEN).reply());
  }

  @Test
  void restartRecoversNameAndApiKeys() {
    create();
    createApiKey("a-myorg-zzzzzzzzzz", "first", T0.plusSeconds(1));
    createApiKey(KEY, "second", T0.plusSeconds(2));
    run(replyTo -> new Organization.RevokeApiKey("a-myorg-zzzzzzzzzz", T0.plusSeconds(3), replyTo));
    Organization.State before = org.getState();

    Organization.State after = org.restart().state();

    assertEquals(before, after);
    assertEquals("My Org", after.name());
    assertEquals(T0, after.created());
    assertEquals(T0.plusSeconds(3), after.updated());
    assertEquals(List.of(KEY), List.copyOf(after.apiKeys().keySet()));
    assertEquals(secretHash, after.apiKeys().get(KEY).secretHash());
  }

  @Test
  void refusesDevicesPastTheQuotaAndCountsNothingForThem() {
    create();
    run(replyTo -> new Organization.SetLimits(new Reply.MessageLimits(0, 60, 0, 3), T0, replyTo));

    assertInstanceOf(Reply.Done.class, reserve(2).reply());
    var refused = reserve(2);
    assertEquals(Rejection.FORBIDDEN, rejection(refused.reply()));
    assertTrue(refused.hasNoEvents());
    assertTrue(
        ((Reply.Rejected) refused.reply()).message().contains("at most 3 devices"),
        ((Reply.Rejected) refused.reply()).message());
    assertInstanceOf(Reply.Done.class, reserve(1).reply());
    assertEquals(Rejection.FORBIDDEN, rejection(reserve(1).reply()));

    run(replyTo -> new Organization.ReleaseDevices(1, replyTo));
    assertInstanceOf(Reply.Done.class, reserve(1).reply());
    assertEquals(3, org.restart().state().devices());
  }

  @Test
  void countsDevicesWithoutAQuotaSoThatALaterQuotaHolds() {
    create();
    assertInstanceOf(Reply.Done.class, reserve(5).reply());
    run(replyTo -> new Organization.SetLimits(new Reply.MessageLimits(0, 60, 0, 5), T0, replyTo));
    assertEquals(Rejection.FORBIDDEN, rejection(reserve(1).reply()));
  }

  @Test
  void switchesAnAdapterOffAndOnAgainAndKeepsItAcrossARestart() {
    create();

    var off = run(replyTo -> new Organization.ConfigureAdapter("ibm-mqtt", false, T0, replyTo));

    assertEquals(List.of(new Organization.AdapterConfigured("ibm-mqtt", false, T0)), off.events());
    Reply.OrganizationSettings settings =
        assertInstanceOf(Reply.OrganizationSettings.class, off.reply());
    assertFalse(settings.adapterEnabled("ibm-mqtt"));
    assertTrue(settings.adapterEnabled("ibm-http"), "the other adapter stays on");
    assertFalse(org.restart().state().settings().adapterEnabled("ibm-mqtt"));

    var on = run(replyTo -> new Organization.ConfigureAdapter("ibm-mqtt", true, T0, replyTo));
    assertTrue(((Reply.OrganizationSettings) on.reply()).adapterEnabled("ibm-mqtt"));
  }

  @Test
  void setsTheHistoryRetentionAndKeepsItAcrossARestart() {
    create();
    Reply.HistoryRetention retention = new Reply.HistoryRetention(86_400, 30 * 86_400);

    var set = run(replyTo -> new Organization.SetRetention(retention, T0, replyTo));

    assertEquals(List.of(new Organization.RetentionSet(retention, T0)), set.events());
    assertEquals(retention, ((Reply.OrganizationSettings) set.reply()).retention());
    assertEquals(retention, org.restart().state().settings().retention());
  }

  @Test
  void anOrganizationKeepsItsHistoryForEverUntilARetentionIsSet() {
    create();
    assertEquals(
        Reply.HistoryRetention.UNLIMITED,
        ((Reply.OrganizationSettings) run(Organization.GetSettings::new).reply()).retention());
  }

  @Test
  void settingTheRetentionOfAMissingOrganizationIsNotFound() {
    var result =
        run(
            replyTo ->
                new Organization.SetRetention(Reply.HistoryRetention.UNLIMITED, T0, replyTo));

    assertTrue(result.hasNoEvents());
    assertEquals(Rejection.NOT_FOUND, rejection(result.reply()));
  }

  @Test
  void switchingAnAdapterOfAMissingOrganizationIsNotFound() {
    var result = run(replyTo -> new Organization.ConfigureAdapter("ibm-http", false, T0, replyTo));

    assertTrue(result.hasNoEvents());
    assertEquals(Rejection.NOT_FOUND, rejection(result.reply()));
  }

  @Test
  void aMissingOrganizationHasNoQuotaAndPersistsNothing() {
    var reserved = reserve(1000);
    assertInstanceOf(Reply.Done.class, reserved.reply());
    assertTrue(reserved.hasNoEvents());
  }

  // ---- helpers ----

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          Organization.Command, Organization.Event, Organization.State, Reply>
      reserve(int count) {
    return run(replyTo -> new Organization.ReserveDevices(count, replyTo));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          Organization.Command, Organization.Event, Organization.State, Reply>
      run(Function<ActorRef<Reply>, Organization.Command> command) {
    return org.runCommand(command);
  }

  private void create() {
    assertInstanceOf(
        Reply.OrganizationInfo.class,
        run(replyTo -> new Organization.Create("My Org", T0, replyTo)).reply());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          Organization.Command, Organization.Event, Organization.State, Reply>
      createApiKey(String key, String description, Instant at) {
    return run(replyTo -> new Organization.CreateApiKey(key, secretHash, description, at, replyTo));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          Organization.Command, Organization.Event, Organization.State, Reply>
      authenticate(String key, String token) {
    return run(replyTo -> new Organization.Authenticate(key, token, null, replyTo));
  }

  private boolean verify(String hash, String token) {
    return secrets.verify(hash, token).toCompletableFuture().join();
  }

  private static Rejection rejection(Reply reply) {
    return assertInstanceOf(Reply.Rejected.class, reply).reason();
  }
}
