package io.entwine.ingress;

import io.entwine.protocol.Reply;
import io.entwine.registry.Organization;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * An organization's settings, API keys, limits and device quota, as the edges ask for them through
 * {@link TwinGateway#organizations()}.
 */
public final class OrganizationRequests extends GatewayRequests {
  OrganizationRequests(TwinGateway gateway) {
    super(gateway);
  }

  /** Creates the organization: {@link Reply.OrganizationInfo} or ALREADY_EXISTS. */
  public CompletionStage<Reply> create(String org, String name) {
    return askOrganization(
        org, replyTo -> new Organization.Create(name, Timestamps.now(), replyTo));
  }

  public CompletionStage<Reply> get(String org) {
    return askOrganization(org, Organization.Get::new);
  }

  /** {@link Reply.OrganizationSettings} (adapter configuration, limits, trusted CAs). */
  public CompletionStage<Reply> settings(String org) {
    return askOrganization(org, Organization.GetSettings::new);
  }

  public CompletionStage<Reply> createApiKey(
      String org, String key, String secretHash, String description, Instant at) {
    return askOrganization(
        org, replyTo -> new Organization.CreateApiKey(key, secretHash, description, at, replyTo));
  }

  public CompletionStage<Reply> listApiKeys(String org) {
    return askOrganization(org, Organization.ListApiKeys::new);
  }

  public CompletionStage<Reply> revokeApiKey(String org, String key) {
    return askOrganization(
        org, replyTo -> new Organization.RevokeApiKey(key, Timestamps.now(), replyTo));
  }

  public CompletionStage<Reply> configureHonoHttp(String org, Reply.HonoHttpAdapter config) {
    return askOrganization(
        org, replyTo -> new Organization.ConfigureHonoHttp(config, Timestamps.now(), replyTo));
  }

  /** Switches one of {@link Admission#SWITCHABLE_ADAPTERS} on or off: the new settings. */
  public CompletionStage<Reply> configureAdapter(String org, String adapter, boolean enabled) {
    return twinGateway.ask(
        twinGateway.organization(org),
        replyTo -> new Organization.ConfigureAdapter(adapter, enabled, Timestamps.now(), replyTo));
  }

  public CompletionStage<Reply> setLimits(String org, Reply.MessageLimits limits) {
    return askOrganization(
        org, replyTo -> new Organization.SetLimits(limits, Timestamps.now(), replyTo));
  }

  public CompletionStage<Reply> setTrustedCas(String org, List<Reply.TrustedCa> cas) {
    return askOrganization(
        org, replyTo -> new Organization.SetTrustedCas(cas, Timestamps.now(), replyTo));
  }

  /** Sets the historian's retention of the organization's history: the new settings. */
  public CompletionStage<Reply> setRetention(String org, Reply.HistoryRetention retention) {
    return askOrganization(
        org, replyTo -> new Organization.SetRetention(retention, Timestamps.now(), replyTo));
  }

  /**
   * Counts {@code count} devices about to be registered in {@code org} against its quota: Done, or
   * FORBIDDEN (nothing counted) past the quota.
   */
  public CompletionStage<Reply> reserveDevices(String org, int count) {
    return askOrganization(org, replyTo -> new Organization.ReserveDevices(count, replyTo));
  }

  /** Uncounts devices deleted, or reserved and then not registered. */
  public CompletionStage<Reply> releaseDevices(String org, int count) {
    return askOrganization(org, replyTo -> new Organization.ReleaseDevices(count, replyTo));
  }
}
