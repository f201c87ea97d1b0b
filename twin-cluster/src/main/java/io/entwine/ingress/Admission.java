package io.entwine.ingress;

import io.entwine.protocol.Reply;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The admission steps every device-facing edge takes before it records a message, in one place (as
 * Eclipse Hono's protocol adapters share {@code AbstractProtocolAdapterBase.checkMessageLimit}):
 * the organization exists, allows the edge's adapter, takes a payload of this size and has budget
 * left this period. Each step answers a {@link Refusal} rather than a status: the edge maps it to
 * its protocol's status and body in one place of its own.
 */
public final class Admission {
  private final OrganizationPolicies policies;

  public Admission(OrganizationPolicies policies) {
    this.policies = policies;
  }

  /** Why a message was not admitted. */
  public enum Reason {
    UNKNOWN_ORGANIZATION,
    ADAPTER_DISABLED,
    PAYLOAD_TOO_LARGE,
    OVER_BUDGET
  }

  /**
   * A message refused before it was recorded, with the organization's limits when known ({@code
   * maxPayloadBytes} is the limit that applied).
   */
  public record Refusal(
      String org, Reason reason, Reply.MessageLimits limits, int maxPayloadBytes) {
    static Refusal of(String org, Reason reason) {
      return new Refusal(org, reason, null, 0);
    }
  }

  /** Either the organization's settings (admitted so far) or why not. */
  public record Decision(Reply.OrganizationSettings settings, Refusal refusal) {
    public boolean admitted() {
      return refusal == null;
    }

    static Decision refused(Refusal refusal) {
      return new Decision(null, refusal);
    }
  }

  /** The organization's settings, or UNKNOWN_ORGANIZATION. */
  public CompletionStage<Decision> organization(String org) {
    return policies
        .settings(org)
        .thenApply(
            reply ->
                reply instanceof Reply.OrganizationSettings settings
                    ? new Decision(settings, null)
                    : Decision.refused(Refusal.of(org, Reason.UNKNOWN_ORGANIZATION)));
  }

  /** The organization's settings when it allows the adapter ({@code enabled}), or why not. */
  public CompletionStage<Decision> adapterEnabled(
      String org, Predicate<Reply.OrganizationSettings> enabled) {
    return organization(org)
        .thenApply(
            decision ->
                !decision.admitted() || enabled.test(decision.settings())
                    ? decision
                    : Decision.refused(Refusal.of(org, Reason.ADAPTER_DISABLED)));
  }

  /**
   * The payload limit, then the message budget: the steps between authentication and recording.
   * {@code defaultMaxPayloadBytes} applies when the organization sets no limit (0: none).
   */
  public CompletionStage<Decision> admit(String org, int payloadBytes, int defaultMaxPayloadBytes) {
    return organization(org)
        .thenApply(
            decision -> {
              if (!decision.admitted()) {
                return decision;
              }
              Refusal refusal =
                  payloadLimit(org, decision.settings(), payloadBytes, defaultMaxPayloadBytes);
              return refusal != null ? Decision.refused(refusal) : budget(org, decision.settings());
            });
  }

  /** PAYLOAD_TOO_LARGE when {@code payloadBytes} exceed the organization's limit; else null. */
  public static Refusal payloadLimit(
      String org,
      Reply.OrganizationSettings settings,
      int payloadBytes,
      int defaultMaxPayloadBytes) {
    Reply.MessageLimits limits = settings.limits();
    int max = limits.maxPayloadBytes() > 0 ? limits.maxPayloadBytes() : defaultMaxPayloadBytes;
    return max > 0 && payloadBytes > max
        ? new Refusal(org, Reason.PAYLOAD_TOO_LARGE, limits, max)
        : null;
  }

  /** Counts one message against the organization's budget: OVER_BUDGET when it is used up. */
  public Decision budget(String org, Reply.OrganizationSettings settings) {
    return policies.tryAdmit(org, settings.limits())
        ? new Decision(settings, null)
        : Decision.refused(new Refusal(org, Reason.OVER_BUDGET, settings.limits(), 0));
  }
}
