package io.entwine.http.hono;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.hono.HonoStatus.challenge;
import static io.entwine.http.hono.HonoStatus.orRefuse;

import io.entwine.http.common.Refused;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.Admission;
import io.entwine.ingress.CertificateAuthentication;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.BasicHttpCredentials;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who sends a Hono HTTP adapter request (Eclipse Hono 1.2 HTTP adapter user guide, "Device
 * Authentication"): a device authenticated by HTTP Basic ({@code auth-id@tenant}) or, over HTTPS,
 * by a client certificate issued by a CA its tenant trusts; a gateway sending for a device of its
 * tenant; or an unauthenticated device its tenant allows. The tenant must allow the adapter (403).
 */
final class HonoAuthentication extends AllDirectives {
  private final TwinGateway gateway;
  private final Admission admission;
  private final CertificateAuthentication certificates;

  HonoAuthentication(TwinGateway gateway, OrganizationPolicies policies, Admission admission) {
    this.gateway = gateway;
    this.admission = admission;
    this.certificates = new CertificateAuthentication(gateway, policies);
  }

  /** Who sent a request: the device it is for and, when a gateway sent it, the gateway. */
  record Sender(String org, DeviceKey device, DeviceKey gateway) {}

  /** What a request presents to prove who sends it: HTTP Basic, a TLS client certificate. */
  record Presented(
      Optional<BasicHttpCredentials> basic,
      List<X509Certificate> certificateChain,
      String address) {}

  Route presented(Function<Presented, Route> inner) {
    return extractCredentials(
        credentials ->
            optionalAttribute(
                AttributeKeys.sslSession,
                tls ->
                    extractClientIP(
                        remote ->
                            inner.apply(
                                new Presented(
                                    credentials
                                        .filter(c -> c instanceof BasicHttpCredentials)
                                        .map(c -> (BasicHttpCredentials) c),
                                    tls.map(HonoAuthentication::peerCertificates).orElse(List.of()),
                                    remote
                                        .getAddress()
                                        .map(a -> a.getHostAddress())
                                        .orElse(null))))));
  }

  private static List<X509Certificate> peerCertificates(SslSessionInfo tls) {
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : tls.getSession().getPeerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException noCertificate) {
      return List.of();
    }
  }

  /**
   * The sender of a request: {@code POST} paths (no tenant) need an authenticated device; {@code
   * PUT} paths name tenant and device, sent by an authenticated gateway for it (or by the device
   * itself) or, when the tenant allows it, without credentials.
   */
  CompletionStage<Sender> sender(Presented presented, String tenant, String deviceId) {
    Optional<CompletionStage<DeviceKey>> authenticated = authenticated(presented);
    if (tenant == null) {
      if (authenticated.isEmpty()) {
        return Refused.with(
            challenge(
                "HTTP Basic authentication as auth-id@tenant or a client certificate is required"));
      }
      return authenticated
          .get()
          .thenCompose(device -> adapterAllows(device.org()).thenApply(a -> device))
          .thenApply(device -> new Sender(device.org(), device, null));
    }
    Optional<String> pathOrg = Ids.tenantOrg(tenant);
    if (pathOrg.isEmpty()) {
      return Refused.with(error(StatusCodes.NOT_FOUND, "Tenant '" + tenant + "' does not exist"));
    }
    String org = pathOrg.get();
    if (authenticated.isPresent()) {
      return authenticated
          .get()
          .thenCompose(
              gatewayKey -> {
                if (!gatewayKey.org().equals(org)) {
                  return Refused.with(
                      error(
                          StatusCodes.FORBIDDEN,
                          "Device '" + deviceId + "' belongs to another tenant than the gateway"));
                }
                return adapterAllows(org)
                    .thenCompose(adapter -> resolve(org, deviceId))
                    .thenApply(
                        device ->
                            new Sender(org, device, device.equals(gatewayKey) ? null : gatewayKey));
              });
    }
    return adapterAllows(org)
        .thenCompose(
            adapter -> {
              if (!adapter.allowUnauthenticated()) {
                return Refused.with(
                    challenge(
                        "Tenant '"
                            + tenant
                            + "' requires devices to authenticate (HTTP Basic, auth-id@tenant, or"
                            + " a client certificate)"));
              }
              return resolve(org, deviceId).thenApply(device -> new Sender(org, device, null));
            });
  }

  /**
   * The authenticated device, in Hono's order: the client certificate, then HTTP Basic (also when
   * the certificate does not authenticate); empty when the request presents neither.
   */
  private Optional<CompletionStage<DeviceKey>> authenticated(Presented presented) {
    if (presented.certificateChain().isEmpty()) {
      return presented.basic().map(basic -> authenticate(basic, presented.address()));
    }
    CompletionStage<DeviceKey> byCertificate = authenticate(presented.certificateChain());
    if (presented.basic().isEmpty()) {
      return Optional.of(byCertificate);
    }
    return Optional.of(
        byCertificate.exceptionallyCompose(
            failure -> authenticate(presented.basic().get(), presented.address())));
  }

  /** A client certificate (see {@link CertificateAuthentication}); 401 when it names no device. */
  private CompletionStage<DeviceKey> authenticate(List<X509Certificate> chain) {
    return certificates
        .authenticate(chain)
        .thenApply(reply -> ((Reply.DeviceFound) orRefuse(reply)).device());
  }

  private CompletionStage<DeviceKey> authenticate(
      BasicHttpCredentials credentials, String address) {
    String username = credentials.username();
    int at = username.lastIndexOf('@');
    Optional<String> org = at > 0 ? Ids.tenantOrg(username.substring(at + 1)) : Optional.empty();
    if (org.isEmpty()) {
      return Refused.with(challenge("The username must be auth-id@tenant"));
    }
    return gateway
        .credentials()
        .authenticateCredential(
            org.get(), username.substring(0, at), credentials.password(), address)
        .thenApply(reply -> ((Reply.DeviceFound) orRefuse(reply)).device());
  }

  private CompletionStage<DeviceKey> resolve(String org, String deviceId) {
    Optional<String> invalid = Ids.checkDevicePart("device id", deviceId);
    if (invalid.isPresent()) {
      return Refused.with(error(StatusCodes.NOT_FOUND, invalid.get()));
    }
    return gateway
        .devices()
        .resolveDeviceId(org, deviceId)
        .thenApply(reply -> ((Reply.DeviceFound) orRefuse(reply)).device());
  }

  /** The tenant's adapter configuration; 404 for an unknown tenant, 403 when it may not use it. */
  private CompletionStage<Reply.HonoHttpAdapter> adapterAllows(String org) {
    return admission
        .adapterEnabled(org, settings -> settings.honoHttp().enabled())
        .thenApply(decision -> orRefuse(decision).honoHttp());
  }
}
