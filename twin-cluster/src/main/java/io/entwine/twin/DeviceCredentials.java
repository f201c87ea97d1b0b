package io.entwine.twin;

import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A device's credentials besides its IBM token: Hono {@code hashed-password} credentials, each
 * under an auth-id and kept as a salted slow hash, {@code x509-cert} credentials, each under a
 * client certificate's subject DN (no secret: the TLS handshake proves the key), and at most one
 * {@code psk} (Tencent), kept encrypted with the cluster key because it must stay usable as an HMAC
 * key. Immutable.
 */
public record DeviceCredentials(List<Credential> credentials) {
  public static final DeviceCredentials NONE = new DeviceCredentials(List.of());

  public static final String HASHED_PASSWORD = "hashed-password";
  public static final String PSK = "psk";
  public static final String X509_CERT = "x509-cert";

  /**
   * One credential; {@code secretHash} for hashed-password, {@code encryptedSecret} for psk. A psk
   * has no auth-id.
   */
  public record Credential(
      String type, String authId, String secretHash, String encryptedSecret, Instant created) {

    boolean sameSlot(String otherType, String otherAuthId) {
      return type.equals(otherType)
          && (PSK.equals(type) || (authId != null && authId.equals(otherAuthId)));
    }
  }

  public DeviceCredentials {
    credentials = credentials == null ? List.of() : List.copyOf(credentials);
  }

  public Optional<Credential> password(String authId) {
    return credentials.stream()
        .filter(c -> HASHED_PASSWORD.equals(c.type()) && c.authId().equals(authId))
        .findFirst();
  }

  /** The x509-cert credential of the subject DN {@code authId} (RFC 2253 form). */
  public Optional<Credential> certificate(String authId) {
    return credentials.stream()
        .filter(c -> X509_CERT.equals(c.type()) && c.authId().equals(authId))
        .findFirst();
  }

  public Optional<Credential> psk() {
    return credentials.stream().filter(c -> PSK.equals(c.type())).findFirst();
  }

  public Optional<Credential> find(String type, String authId) {
    return credentials.stream().filter(c -> c.sameSlot(type, authId)).findFirst();
  }

  /** Adds {@code credential}, replacing one of the same type and auth-id (or the psk). */
  DeviceCredentials with(Credential credential) {
    List<Credential> updated = new ArrayList<>(credentials.size() + 1);
    for (Credential c : credentials) {
      if (!c.sameSlot(credential.type(), credential.authId())) {
        updated.add(c);
      }
    }
    updated.add(credential);
    return new DeviceCredentials(updated);
  }

  DeviceCredentials without(String type, String authId) {
    return new DeviceCredentials(
        credentials.stream().filter(c -> !c.sameSlot(type, authId)).toList());
  }

  /** The listing: type, auth-id and creation time, never a secret. */
  Reply.CredentialList list() {
    return new Reply.CredentialList(
        credentials.stream()
            .sorted(
                Comparator.comparing(Credential::type)
                    .thenComparing(c -> c.authId() == null ? "" : c.authId()))
            .map(c -> new Reply.CredentialInfo(c.type(), c.authId(), c.created()))
            .toList());
  }
}
