package io.entwine.registry;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.SortedMap;
import java.util.function.Function;

/**
 * Which tenant trusts the CA with a given subject DN (RFC 2253), across all organizations: a client
 * certificate names only its issuer, so the issuer DN must identify the tenant, as Hono's {@code
 * trusted-ca} does. One table per DN holding at most one organization, so two tenants can never
 * trust the same CA subject. A claim answers Done when the DN is free or already the
 * organization's, ALREADY_EXISTS when another's; a lookup {@link Reply.TenantFound} or NOT_FOUND.
 */
public final class TrustedCaIndex {
  public static final ClaimTable<String, Reply> TABLE =
      new ClaimTable<>(
          "TrustedCaIndex",
          Function.identity(),
          1,
          new ClaimReplies<>(
              new Reply.Done(), TrustedCaIndex::tenant, TrustedCaIndex::trustedByAnother));

  private TrustedCaIndex() {}

  private static Reply tenant(String subjectDn, SortedMap<String, String> orgs) {
    return orgs.isEmpty()
        ? new Reply.Rejected(Rejection.NOT_FOUND, "No tenant trusts CA " + subjectDn)
        : new Reply.TenantFound(orgs.firstKey());
  }

  /** Names no tenant: which organizations exist is not the caller's business. */
  private static Reply trustedByAnother(String subjectDn, SortedMap<String, String> orgs) {
    return new Reply.Rejected(
        Rejection.ALREADY_EXISTS,
        "Another tenant already trusts a CA with subject DN '" + subjectDn + "'");
  }
}
