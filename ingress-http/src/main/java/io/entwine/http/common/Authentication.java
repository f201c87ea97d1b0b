package io.entwine.http.common;

import static io.entwine.http.common.ApiResponses.error;

import io.entwine.http.server.HttpSettings;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.BasicHttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who is calling: the operator (bearer token), an application (API key), a device or a gateway
 * (token).
 */
public final class Authentication extends AllDirectives {
  public static final String DEVICE_USERNAME = "use-token-auth";

  /** An application authenticated by an API key of organization {@code org}. */
  public record ApiKeyPrincipal(String org, String key) {}

  private final TwinGateway gateway;
  private final OrganizationHost organizationHost;
  private final byte[] adminToken;

  public Authentication(TwinGateway gateway, HttpSettings settings) {
    this.gateway = gateway;
    this.organizationHost = new OrganizationHost(settings.domain());
    this.adminToken = settings.adminToken().getBytes(StandardCharsets.UTF_8);
  }

  public Route operator(Supplier<Route> inner) {
    return extractCredentials(
        credentials -> {
          boolean valid =
              credentials
                  .filter(c -> "bearer".equalsIgnoreCase(c.scheme()))
                  .map(c -> c.token().getBytes(StandardCharsets.UTF_8))
                  .map(token -> MessageDigest.isEqual(token, adminToken))
                  .orElse(false);
          return valid ? inner.get() : complete(challenge("Bearer", "Operator token required"));
        });
  }

  /**
   * An API key and its token (HTTP Basic). A request addressed to another organization's host than
   * the key's own is refused with 403.
   */
  public Route apiKey(Function<ApiKeyPrincipal, Route> inner) {
    return extractHost(
        host ->
            basic(
                (key, token) -> {
                  Optional<String> keyOrg = Ids.organizationOfApiKey(key);
                  if (keyOrg.isEmpty()) {
                    return complete(challenge("Basic", Reply.Rejected.UNAUTHORIZED_MESSAGE));
                  }
                  Optional<String> hostOrg = organizationHost.organizationOf(host);
                  if (hostOrg.isPresent() && !hostOrg.get().equals(keyOrg.get())) {
                    return complete(
                        error(
                            StatusCodes.FORBIDDEN,
                            "API key "
                                + key
                                + " does not belong to organization "
                                + hostOrg.get()));
                  }
                  return clientAddress(
                      address ->
                          onSuccess(
                              gateway.authenticateApiKey(keyOrg.get(), key, token, address),
                              reply -> apiKeyChecked(reply, keyOrg.get(), key, inner)));
                }));
  }

  private Route apiKeyChecked(
      Reply reply, String org, String key, Function<ApiKeyPrincipal, Route> inner) {
    if (reply instanceof Reply.Done) {
      return inner.apply(new ApiKeyPrincipal(org, key));
    }
    if (reply instanceof Reply.Rejected rejected
        && (rejected.reason() == Rejection.LIMIT_EXCEEDED
            || rejected.reason() == Rejection.UNAVAILABLE)) {
      // a bound on failed authentications or slow hashes (docs/adr/0043), not a wrong token
      return complete(ApiResponses.rejection(rejected));
    }
    return complete(challenge("Basic", Reply.Rejected.UNAUTHORIZED_MESSAGE));
  }

  /**
   * A device's token ({@code use-token-auth} and the token, HTTP Basic) and the organization the
   * request is addressed to. The token is checked by the twin itself, with the event.
   */
  public Route deviceToken(BiFunction<String, String, Route> inner) {
    return tokenOf(
        false,
        (org, token, gateway) ->
            gateway == null
                ? inner.apply(org, token)
                : complete(
                    challenge("Basic", "Devices authenticate as '" + DEVICE_USERNAME + "'")));
  }

  /** Who a device or gateway token was presented by; {@code gateway} is null for a device. */
  @FunctionalInterface
  public interface TokenRoute {
    Route apply(String org, String token, DeviceKey gateway);
  }

  /**
   * {@link #deviceToken}, or a gateway's token under the username {@code g/ORG/TYPE/ID} (Watson IoT
   * Platform documentation, Gateways: HTTP) of the organization the request is addressed to (403
   * for another one). Neither token is checked here.
   */
  public Route deviceOrGatewayToken(TokenRoute inner) {
    return tokenOf(true, inner);
  }

  private Route tokenOf(boolean gatewaysToo, TokenRoute inner) {
    return extractHost(
        host -> {
          Optional<String> org = organizationHost.organizationOf(host);
          if (org.isEmpty()) {
            return complete(
                error(
                    StatusCodes.BAD_REQUEST,
                    "Address the request to your organization's host, ORG."
                        + organizationHost.domain()
                        + " (for example with curl: -H 'Host: ORG."
                        + organizationHost.domain()
                        + "')"));
          }
          return basic(
              (username, token) -> {
                if (DEVICE_USERNAME.equals(username)) {
                  return inner.apply(org.get(), token, null);
                }
                DeviceKey gateway = gatewaysToo ? gatewayOf(username) : null;
                if (gateway == null) {
                  return complete(
                      challenge(
                          "Basic",
                          gatewaysToo
                              ? "Devices authenticate as '"
                                  + DEVICE_USERNAME
                                  + "', gateways as 'g/ORG/TYPE/ID'"
                              : "Devices authenticate as '" + DEVICE_USERNAME + "'"));
                }
                if (!gateway.org().equals(org.get())) {
                  return complete(
                      error(
                          StatusCodes.FORBIDDEN,
                          "Gateway " + username + " does not belong to organization " + org.get()));
                }
                return inner.apply(org.get(), token, gateway);
              });
        });
  }

  /** The gateway a username {@code g/ORG/TYPE/ID} names, or null when it names none. */
  private static DeviceKey gatewayOf(String username) {
    String[] parts = username.split("/", -1);
    if (parts.length != 4
        || !"g".equals(parts[0])
        || !Ids.isOrgId(parts[1])
        || Ids.checkDevicePart("device type", parts[2]).isPresent()
        || Ids.checkDevicePart("device id", parts[3]).isPresent()) {
      return null;
    }
    return new DeviceKey(parts[1], parts[2], parts[3]);
  }

  /** The client's IP address (null when unknown), for limits per address. */
  public Route clientAddress(Function<String, Route> inner) {
    return extractClientIP(
        remote -> inner.apply(remote.getAddress().map(a -> a.getHostAddress()).orElse(null)));
  }

  /** The organization a request is addressed to by its host name, if any. */
  public Route hostOrganization(Function<Optional<String>, Route> inner) {
    return extractHost(host -> inner.apply(organizationHost.organizationOf(host)));
  }

  private Route basic(BiFunction<String, String, Route> inner) {
    return extractCredentials(
        credentials -> {
          Optional<HttpCredentials> basic =
              credentials.filter(c -> c instanceof BasicHttpCredentials);
          if (basic.isEmpty()) {
            return complete(challenge("Basic", "HTTP Basic authentication required"));
          }
          BasicHttpCredentials c = (BasicHttpCredentials) basic.get();
          return inner.apply(c.username(), c.password());
        });
  }

  private static HttpResponse challenge(String scheme, String message) {
    return ApiResponses.unauthorized(scheme, message);
  }
}
