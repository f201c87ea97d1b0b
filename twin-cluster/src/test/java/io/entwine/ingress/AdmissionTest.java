package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.credentials.Credentials;
import io.entwine.metrics.Meters;
import io.entwine.protocol.Reply;
import io.entwine.registry.Organization;
import io.entwine.testing.InMemoryCluster;
import io.entwine.twin.DeviceTwin;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admission steps of the edges whose twin authenticates the sender (IBM HTTP, MQTT) over real
 * organization entities: adapter switched off, payload limit, a budget counted per batch and given
 * back for what the twin refused.
 */
class AdmissionTest {
  private static final AtomicInteger ORGS = new AtomicInteger();

  private static ActorTestKit testKit;
  private static TwinGateway gateway;
  private static Admission admission;

  @BeforeAll
  static void startCluster() {
    testKit = InMemoryCluster.startSingleNode("AdmissionTest", "");
    DeviceTwin.init(testKit.system());
    Organization.init(testKit.system());
    gateway =
        new TwinGateway(
            testKit.system(),
            Credentials.get(testKit.system()).verifiedSecrets(),
            Duration.ofSeconds(10));
    // no settings cache: each step reads what the organization holds now
    admission =
        new Admission(new OrganizationPolicies(gateway, Duration.ZERO, () -> 1), gateway, "http");
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  @Test
  void refusesOnlyTheAdapterTheOrganizationSwitchedOff() {
    String org = organization(Reply.MessageLimits.NONE);
    assertInstanceOf(
        Reply.OrganizationSettings.class,
        await(gateway.organizations().configureAdapter(org, Admission.IBM_HTTP, false)));

    assertEquals(
        Admission.Reason.ADAPTER_DISABLED,
        await(admission.admit(org, Admission.IBM_HTTP, 1, 10, 0)).refusal().reason());
    assertTrue(await(admission.admit(org, Admission.IBM_MQTT, 1, 10, 0)).admitted());

    await(gateway.organizations().configureAdapter(org, Admission.IBM_HTTP, true));
    assertTrue(await(admission.admit(org, Admission.IBM_HTTP, 1, 10, 0)).admitted());
  }

  @Test
  void refusesABatchWhoseLargestPayloadIsOverTheOrganizationsLimit() {
    String org = organization(new Reply.MessageLimits(0, 60, 8));

    Admission.Decision tooLarge = await(admission.admit(org, Admission.IBM_MQTT, 3, 9, 0));

    assertEquals(Admission.Reason.PAYLOAD_TOO_LARGE, tooLarge.refusal().reason());
    assertEquals(8, tooLarge.refusal().maxPayloadBytes());
    assertTrue(await(admission.admit(org, Admission.IBM_MQTT, 3, 8, 0)).admitted());
  }

  @Test
  void countsABatchWholeAgainstTheBudget() {
    String org = organization(new Reply.MessageLimits(3, 3600, 0));

    assertTrue(await(admission.admit(org, Admission.IBM_MQTT, 2, 1, 0)).admitted());
    assertEquals(
        Admission.Reason.OVER_BUDGET,
        await(admission.admit(org, Admission.IBM_MQTT, 2, 1, 0)).refusal().reason(),
        "two more do not fit");
    assertTrue(await(admission.admit(org, Admission.IBM_MQTT, 1, 1, 0)).admitted(), "one does");
    assertEquals(
        Admission.Reason.OVER_BUDGET,
        await(admission.admit(org, Admission.IBM_MQTT, 1, 1, 0)).refusal().reason());
  }

  @Test
  void givesBackTheBudgetOfMessagesTheTwinRefused() {
    String org = organization(new Reply.MessageLimits(1, 3600, 0));

    Admission.Decision first = await(admission.admit(org, Admission.IBM_HTTP, 1, 1, 0));
    Reply refused = await(admission.record(first, () -> answer(Reply.Rejected.unauthorized())));
    assertInstanceOf(Reply.Rejected.class, refused);

    Admission.Decision second = await(admission.admit(org, Admission.IBM_HTTP, 1, 1, 0));
    assertTrue(second.admitted(), "the refused message used none of the budget");
    assertEquals(new Reply.Done(), await(admission.record(second, () -> answer(new Reply.Done()))));
    assertEquals(
        Admission.Reason.OVER_BUDGET,
        await(admission.admit(org, Admission.IBM_HTTP, 1, 1, 0)).refusal().reason(),
        "a recorded message keeps its place");
  }

  @Test
  void leavesAnUnknownOrganizationToItsTwins() {
    double unknownBefore = refused("unknown-organization");
    Admission.Decision decision =
        await(admission.admit("nosuchorg" + ORGS.incrementAndGet(), Admission.IBM_MQTT, 1, 1, 0));

    assertTrue(decision.admitted());
    assertNull(decision.counted());
    assertEquals(unknownBefore, refused("unknown-organization"), "nothing refused yet");
  }

  /** entwine_events_refused_total counts what admission refused, by reason, message by message. */
  @Test
  void countsEachRefusedMessageUnderItsReason() {
    String org = organization(new Reply.MessageLimits(1, 3600, 8));
    double tooLarge = refused("payload-too-large");
    double overBudget = refused("over-budget");
    double disabled = refused("adapter-disabled");
    double unknown = refused("unknown-organization");

    await(admission.admit(org, Admission.IBM_MQTT, 3, 9, 0));
    assertTrue(await(admission.admit(org, Admission.IBM_MQTT, 1, 8, 0)).admitted());
    await(admission.admit(org, Admission.IBM_MQTT, 2, 8, 0));
    await(gateway.organizations().configureAdapter(org, Admission.IBM_HTTP, false));
    await(admission.admit(org, Admission.IBM_HTTP, 1, 1, 0));
    await(admission.organization("nosuchorg" + ORGS.incrementAndGet()));

    assertEquals(tooLarge + 3, refused("payload-too-large"), "a batch of three too large");
    assertEquals(overBudget + 2, refused("over-budget"), "two over the budget");
    assertEquals(disabled + 1, refused("adapter-disabled"));
    assertEquals(unknown + 1, refused("unknown-organization"));
  }

  private static double refused(String reason) {
    Counter counter =
        Meters.registry(testKit.system())
            .find(IngestMeters.REFUSED)
            .tags("protocol", "http", "reason", reason)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static String organization(Reply.MessageLimits limits) {
    String org = "adm" + ORGS.incrementAndGet();
    assertInstanceOf(
        Reply.OrganizationInfo.class, await(gateway.organizations().create(org, "Admission")));
    assertInstanceOf(
        Reply.OrganizationSettings.class, await(gateway.organizations().setLimits(org, limits)));
    return org;
  }

  private static CompletionStage<Reply> answer(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
