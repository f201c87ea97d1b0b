package io.entwine.credentials;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * X.509 client-certificate authentication as Hono does it: a tenant trusts CA certificates (trust
 * anchors), a device's certificate must chain to one of them, and the device's subject DN, in RFC
 * 2253 form, is its auth-id. Distinguished names are compared in that one normal form, so {@code
 * CN=device1, O=ACME} and {@code CN=device1,O=ACME} name the same subject.
 */
public final class ClientCertificates {
  private ClientCertificates() {}

  /** The RFC 2253 form of {@code dn}, or empty when it is not a distinguished name. */
  public static Optional<String> normalDn(String dn) {
    if (dn == null || dn.isBlank() || !dn.contains("=")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new X500Principal(dn).getName(X500Principal.RFC2253));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  public static String subjectDn(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
  }

  public static String issuerDn(X509Certificate certificate) {
    return certificate.getIssuerX500Principal().getName(X500Principal.RFC2253);
  }

  /** The certificates of a PEM text, in order; fails when there is none or one is malformed. */
  public static List<X509Certificate> parsePem(String pem) throws CertificateException {
    Collection<? extends java.security.cert.Certificate> parsed =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
    List<X509Certificate> certificates = new ArrayList<>();
    for (var certificate : parsed) {
      certificates.add((X509Certificate) certificate);
    }
    if (certificates.isEmpty()) {
      throw new CertificateException("No PEM certificate found");
    }
    return certificates;
  }

  public static String toPem(X509Certificate certificate) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /**
   * Whether {@code chain} (the client's certificate first, then any intermediates it presented) is
   * valid now and leads to {@code anchor}. Revocation is not checked: Entwine keeps no CRLs; a
   * device is cut off by deleting its x509-cert credential or disabling it.
   */
  public static boolean chainsTo(List<X509Certificate> chain, X509Certificate anchor) {
    if (chain.isEmpty()) {
      return false;
    }
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
