package io.entwine.ingress;

import io.entwine.credentials.ClientCertificates;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which device a TLS client certificate authenticates, as Hono's adapters decide it: the issuer of
 * the top certificate presented names the tenant (the one whose trusted CA has that subject DN,
 * {@link io.entwine.registry.TrustedCaIndex}), the chain must be valid now and lead to that CA, and
 * the leaf's subject DN must be the auth-id of a device's x509-cert credential. Any protocol edge
 * that has the client's chain from its TLS session can use it.
 */
public final class CertificateAuthentication {
  static final String UNTRUSTED =
      "The client certificate is not issued by a CA a tenant trusts, or not valid";

  private final TwinGateway gateway;
  private final OrganizationPolicies policies;

  public CertificateAuthentication(TwinGateway gateway, OrganizationPolicies policies) {
    this.gateway = gateway;
    this.policies = policies;
  }

  /**
   * {@link Reply.DeviceFound}, or a rejection: UNAUTHORIZED (untrusted or invalid chain, unknown
   * subject DN), DISABLED.
   */
  public CompletionStage<Reply> authenticate(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return untrusted();
    }
    String issuer = ClientCertificates.issuerDn(chain.get(chain.size() - 1));
    return gateway
        .credentials()
        .tenantTrusting(issuer)
        .thenCompose(
            found -> {
              if (!(found instanceof Reply.TenantFound tenant)) {
                return untrusted();
              }
              return policies
                  .settings(tenant.org())
                  .thenCompose(
                      settings ->
                          settings instanceof Reply.OrganizationSettings current
                                  && isTrusted(chain, issuer, current.trustedCas())
                              ? gateway
                                  .credentials()
                                  .authenticateCertificate(
                                      tenant.org(), ClientCertificates.subjectDn(chain.get(0)))
                              : untrusted());
            });
  }

  private static boolean isTrusted(
      List<X509Certificate> chain, String issuer, List<Reply.TrustedCa> trustedCas) {
    for (Reply.TrustedCa ca : trustedCas) {
      if (ca.subjectDn().equals(issuer)) {
        try {
          return ClientCertificates.chainsTo(
              chain, ClientCertificates.parsePem(ca.certificate()).get(0));
        } catch (CertificateException e) {
          return false;
        }
      }
    }
    return false;
  }

  private static CompletionStage<Reply> untrusted() {
    return CompletableFuture.completedFuture(new Reply.Rejected(Rejection.UNAUTHORIZED, UNTRUSTED));
  }
}
