package io.entwine.ingress;

import io.entwine.protocol.Reply;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The admission steps every device-facing edge takes before it records a message, in one place (as
 * Eclipse Hono's protocol adapters share {@code AbstractProtocolAdapterBase.checkMessageLimit}):
 * the organization exists, allows the edge's adapter, takes a payload of this size and has budget
 * left this period. Each step answers a {@link Refusal} rather than a status: the edge maps it to
 * its protocol's status and body in one place of its own. Every refusal is counted in {@code
 * entwine_events_refused_total} under the edge's protocol and the refusal's reason.
 *
 * <p>Every step reads the organization's settings from {@link OrganizationPolicies}' per-node cache
 * and counts the budget in memory: admitting a message asks no entity and writes nothing.
 */
public final class Admission {
  /** The IBM HTTP device-event adapter's id, as the operator names it to switch it off. */
  public static final String IBM_HTTP = "ibm-http";

  /** The MQTT endpoint's id (IBM's MQTT topics), as the operator names it to switch it off. */
  public static final String IBM_MQTT = "ibm-mqtt";

  /** The adapters an organization can have switched off by id (Hono's has its own settings). */
  public static final List<String> SWITCHABLE_ADAPTERS = List.of(IBM_HTTP, IBM_MQTT);

  private final OrganizationPolicies policies;
  private final IngestMeters meters;
  private final String protocol;

  /**
   * The admission of one edge; {@code protocol} names it in the metrics, as its messages' origin
   * does ({@code http}, {@code mqtt}, {@code hono-http}, {@code tencent-http}, {@code
   * integration}).
   */
  public Admission(OrganizationPolicies policies, TwinGateway gateway, String protocol) {
    this.policies = policies;
    this.meters = gateway.meters();
    this.protocol = protocol;
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

    /**
     * The refusal in words, the same on every protocol that has no wording of its own: {@code
     * party} is what the protocol calls an organization ("Tenant"), {@code adapter} what it calls
     * the adapter ("Hono HTTP adapter").
     */
    public String message(String party, String adapter) {
      String owner = party.toLowerCase(Locale.ROOT);
      return switch (reason) {
        case UNKNOWN_ORGANIZATION -> party + " does not exist";
        case ADAPTER_DISABLED -> party + " '" + org + "' is not allowed to use the " + adapter;
        case PAYLOAD_TOO_LARGE ->
            "The body is larger than the " + owner + "'s limit of " + maxPayloadBytes + " bytes";
        case OVER_BUDGET ->
            "The "
                + owner
                + "'s message limit of "
                + limits.messagesPerPeriod()
                + " per "
                + limits.periodSeconds()
                + " s is exceeded";
      };
    }
  }

  /** Messages counted against an organization's budget in one of its windows. */
  record Counted(String org, long window, int messages) {}

  /**
   * Either the organization's settings (admitted so far) or why not; {@code counted} is what the
   * budget step counted (null when nothing was).
   */
  public record Decision(Reply.OrganizationSettings settings, Refusal refusal, Counted counted) {
    public boolean admitted() {
      return refusal == null;
    }

    static Decision refused(Refusal refusal) {
      return new Decision(null, refusal, null);
    }
  }

  /** The organization's settings, or UNKNOWN_ORGANIZATION. */
  public CompletionStage<Decision> organization(String org) {
    return policies
        .settings(org)
        .thenApply(
            reply ->
                reply instanceof Reply.OrganizationSettings settings
                    ? new Decision(settings, null, null)
                    : refused(Refusal.of(org, Reason.UNKNOWN_ORGANIZATION), 1));
  }

  /** The organization's settings when it allows the adapter ({@code enabled}), or why not. */
  public CompletionStage<Decision> adapterEnabled(
      String org, Predicate<Reply.OrganizationSettings> enabled) {
    return organization(org)
        .thenApply(
            decision ->
                !decision.admitted() || enabled.test(decision.settings())
                    ? decision
                    : refused(Refusal.of(org, Reason.ADAPTER_DISABLED), 1));
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
  public Refusal payloadLimit(
      String org,
      Reply.OrganizationSettings settings,
      int payloadBytes,
      int defaultMaxPayloadBytes) {
    Refusal refusal = overPayloadLimit(org, settings, payloadBytes, defaultMaxPayloadBytes);
    return refusal == null ? null : counted(refusal, 1);
  }

  private static Refusal overPayloadLimit(
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
    return budget(org, settings, 1);
  }

  private Decision budget(String org, Reply.OrganizationSettings settings, int messages) {
    long window = policies.count(org, settings.limits(), messages);
    if (window == OrganizationPolicies.OVER_BUDGET) {
      return refused(new Refusal(org, Reason.OVER_BUDGET, settings.limits(), 0), messages);
    }
    Counted counted =
        window == OrganizationPolicies.UNLIMITED ? null : new Counted(org, window, messages);
    return new Decision(settings, null, counted);
  }

  /**
   * Every step for an edge whose twin authenticates the sender with the message itself (IBM HTTP
   * events, MQTT publishes): the organization allows {@code adapter}, no payload of the {@code
   * messages} (the largest is {@code largestPayloadBytes}) is over its limit, and all of them fit
   * in its budget, where they are counted now. An unknown organization is admitted without
   * settings: its twins refuse the message as they refuse any unregistered device, revealing
   * nothing.
   */
  public CompletionStage<Decision> admit(
      String org,
      String adapter,
      int messages,
      int largestPayloadBytes,
      int defaultMaxPayloadBytes) {
    return policies
        .settings(org)
        .thenApply(
            reply -> {
              if (!(reply instanceof Reply.OrganizationSettings settings)) {
                return new Decision(null, null, null);
              }
              if (!settings.adapterEnabled(adapter)) {
                return refused(Refusal.of(org, Reason.ADAPTER_DISABLED), messages);
              }
              Refusal refusal =
                  overPayloadLimit(org, settings, largestPayloadBytes, defaultMaxPayloadBytes);
              return refusal != null ? refused(refusal, messages) : budget(org, settings, messages);
            });
  }

  private Decision refused(Refusal refusal, int messages) {
    return Decision.refused(counted(refusal, messages));
  }

  private Refusal counted(Refusal refusal, int messages) {
    meters.refusedAdmission(protocol, refusal.reason(), messages);
    return refusal;
  }

  /**
   * Runs {@code record} for an admitted {@code decision}; when the twin refuses the messages (a
   * wrong token, an unregistered or disabled device), what the decision counted against the budget
   * is given back, so that senders the twin does not accept use none of it.
   */
  public CompletionStage<Reply> record(Decision decision, Supplier<CompletionStage<Reply>> record) {
    Counted counted = decision.counted();
    CompletionStage<Reply> recorded = record.get();
    if (counted == null) {
      return recorded;
    }
    return recorded.thenApply(
        reply -> {
          if (reply instanceof Reply.Rejected) {
            policies.giveBack(counted.org(), counted.window(), counted.messages());
          }
          return reply;
        });
  }
}
