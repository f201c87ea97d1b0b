package io.entwine.http.admin;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.ClientCertificates;
import io.entwine.http.common.ApiDirectives;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A tenant's trusted CAs for X.509 client certificates (Hono's {@code trusted-ca}), under {@code
 * /api/v0002/admin/organizations/{org}/trust-anchors} (the caller checked the operator token). Each
 * CA's subject DN is claimed in the cluster-wide {@link io.entwine.registry.TrustedCaIndex} before
 * the tenant stores it, so a client certificate's issuer DN names exactly one tenant (409
 * otherwise); DNs the tenant no longer trusts are released afterwards.
 */
final class TrustAnchorRoutes extends ApiDirectives {
  private static final int MAX_TRUSTED_CAS = 16;

  private final TwinGateway gateway;
  private final Consumer<String> refreshSettings;

  /** {@code refreshSettings}: forgets an organization's cached settings after a change. */
  TrustAnchorRoutes(TwinGateway gateway, Consumer<String> refreshSettings) {
    this.gateway = gateway;
    this.refreshSettings = refreshSettings;
  }

  /** One trusted CA as the API shows it; {@code cert} is base64 DER as in Hono's tenant API. */
  record TrustedCaJson(
      @JsonProperty("subject-dn") String subjectDn,
      @JsonProperty("not-before") Instant notBefore,
      @JsonProperty("not-after") Instant notAfter,
      String cert) {}

  record TrustAnchorsJson(@JsonProperty("trusted-ca") List<TrustedCaJson> trustedCa) {}

  Route route(String org) {
    return concat(
        put(() -> jsonObject(false, body -> replace(org, body))),
        get(
            () ->
                completeReply(
                    gateway.organizations().settings(org),
                    settings ->
                        json(StatusCodes.OK, view((Reply.OrganizationSettings) settings)))));
  }

  private Route replace(String org, ObjectNode body) {
    List<Reply.TrustedCa> cas;
    try {
      cas = parse(body);
    } catch (CertificateException | IllegalArgumentException e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return completeReply(
        gateway
            .organizations()
            .settings(org)
            .thenCompose(
                current ->
                    current instanceof Reply.OrganizationSettings settings
                        ? claimAndStore(org, dns(settings.trustedCas()), cas)
                        : CompletableFuture.completedFuture(current)),
        settings -> {
          refreshSettings.accept(org);
          return json(StatusCodes.OK, view((Reply.OrganizationSettings) settings));
        });
  }

  private CompletionStage<Reply> claimAndStore(
      String org, Set<String> before, List<Reply.TrustedCa> cas) {
    List<String> after = cas.stream().map(Reply.TrustedCa::subjectDn).toList();
    List<CompletableFuture<Reply>> claims = new ArrayList<>();
    for (String dn : after) {
      claims.add(gateway.credentials().claimTrustedCa(org, dn).toCompletableFuture());
    }
    return CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new))
        .thenCompose(
            claimed -> {
              for (CompletableFuture<Reply> claim : claims) {
                if (!(claim.join() instanceof Reply.Done)) {
                  List<String> newlyClaimed =
                      after.stream().filter(dn -> !before.contains(dn)).toList();
                  return releaseAll(org, newlyClaimed).thenApply(released -> claim.join());
                }
              }
              return gateway
                  .organizations()
                  .setTrustedCas(org, cas)
                  .thenCompose(
                      stored ->
                          releaseAll(
                                  org, before.stream().filter(dn -> !after.contains(dn)).toList())
                              .thenApply(released -> stored));
            });
  }

  /** Gives DNs back to the index; a DN held by another tenant is left alone by the index. */
  private CompletionStage<Void> releaseAll(String org, List<String> dns) {
    return CompletableFuture.allOf(
        dns.stream()
            .map(dn -> gateway.credentials().releaseTrustedCa(org, dn).toCompletableFuture())
            .toArray(CompletableFuture[]::new));
  }

  /** {@code {"trusted-ca":[{"cert":"<PEM or base64 DER>"}, ...]}}; an empty list trusts none. */
  private static List<Reply.TrustedCa> parse(ObjectNode body) throws CertificateException {
    JsonNode list = body.get("trusted-ca");
    if (list == null || !list.isArray() || list.size() > MAX_TRUSTED_CAS) {
      throw new IllegalArgumentException(
          "'trusted-ca' must be an array of at most "
              + MAX_TRUSTED_CAS
              + " objects like {\"cert\":\"<CA certificate, PEM or base64 DER>\"}");
    }
    List<Reply.TrustedCa> cas = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode item : list) {
      JsonNode cert = item.get("cert");
      if (cert == null || !cert.isTextual()) {
        throw new IllegalArgumentException("Each trusted CA needs 'cert': PEM or base64 DER");
      }
      X509Certificate ca = certificate(cert.asText());
      String subjectDn = ClientCertificates.subjectDn(ca);
      if (subjectDn.isEmpty() || !seen.add(subjectDn)) {
        throw new IllegalArgumentException(
            "Each trusted CA needs its own, non-empty subject DN; '"
                + subjectDn
                + "' is empty or given twice");
      }
      cas.add(new Reply.TrustedCa(subjectDn, ClientCertificates.toPem(ca)));
    }
    return cas;
  }

  private static X509Certificate certificate(String text) throws CertificateException {
    String pem = text.strip();
    if (!pem.startsWith("-----BEGIN")) {
      try {
        byte[] der = Base64.getMimeDecoder().decode(pem);
        pem =
            "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
      } catch (IllegalArgumentException e) {
        throw new CertificateException("'cert' is neither PEM nor base64 DER");
      }
    }
    List<X509Certificate> certificates = ClientCertificates.parsePem(pem);
    if (certificates.size() != 1) {
      throw new CertificateException("Each 'cert' holds exactly one CA certificate");
    }
    return certificates.get(0);
  }

  private static Set<String> dns(List<Reply.TrustedCa> cas) {
    Set<String> dns = new HashSet<>();
    cas.forEach(ca -> dns.add(ca.subjectDn()));
    return dns;
  }

  private static TrustAnchorsJson view(Reply.OrganizationSettings settings) {
    List<TrustedCaJson> cas = new ArrayList<>();
    for (Reply.TrustedCa ca : settings.trustedCas()) {
      try {
        X509Certificate certificate = ClientCertificates.parsePem(ca.certificate()).get(0);
        cas.add(
            new TrustedCaJson(
                ca.subjectDn(),
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                Base64.getEncoder().encodeToString(certificate.getEncoded())));
      } catch (CertificateException e) {
        throw new IllegalStateException("A stored trusted CA no longer parses", e);
      }
    }
    return new TrustAnchorsJson(cas);
  }
}
