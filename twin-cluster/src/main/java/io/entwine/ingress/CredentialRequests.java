package io.entwine.ingress;

import io.entwine.claims.ClaimEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.registry.AuthIdIndex;
import io.entwine.registry.TrustedCaIndex;
import io.entwine.twin.TwinCommand;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * A device's further credentials (Hono hashed passwords and X.509 subjects, Tencent PSKs), the
 * cluster-wide indexes that map them to devices ({@link AuthIdIndex}, {@link TrustedCaIndex}) and
 * gateways, as the edges ask for them through {@link TwinGateway#credentials()}.
 */
public final class CredentialRequests extends GatewayRequests {
  CredentialRequests(TwinGateway gateway) {
    super(gateway);
  }

  /** Adds a credential ({@code secretHash} or {@code encryptedSecret} as its type keeps it). */
  public CompletionStage<Reply> add(
      DeviceKey device,
      String type,
      String authId,
      String secretHash,
      String encryptedSecret,
      Instant at) {
    return askTwin(
        device,
        replyTo ->
            new TwinCommand.AddCredential(type, authId, secretHash, encryptedSecret, at, replyTo));
  }

  /** {@link Reply.CredentialList}, secrets left out. */
  public CompletionStage<Reply> list(DeviceKey device) {
    return askTwin(device, TwinCommand.ListCredentials::new);
  }

  public CompletionStage<Reply> remove(DeviceKey device, String type, String authId) {
    return askTwin(
        device,
        replyTo -> new TwinCommand.RemoveCredential(type, authId, Timestamps.now(), replyTo));
  }

  /** Makes {@code via} the gateways that may act for the device. */
  public CompletionStage<Reply> setGateways(DeviceKey device, List<DeviceKey> via) {
    return askTwin(device, replyTo -> new TwinCommand.SetGateways(via, Timestamps.now(), replyTo));
  }

  /**
   * The device that holds the hashed-password credential {@code authId} of {@code org}, when {@code
   * password} is its password: {@link Reply.DeviceFound}, or a rejection (UNAUTHORIZED for any
   * unknown auth-id or wrong password, DISABLED).
   */
  public CompletionStage<Reply> authenticateCredential(String org, String authId, String password) {
    return authenticateCredential(org, authId, password, null);
  }

  /**
   * As {@link #authenticateCredential(String, String, String)}, for a client at {@code address}: an
   * auth-id the node knows to be unknown is refused without asking the index.
   */
  public CompletionStage<Reply> authenticateCredential(
      String org, String authId, String password, String address) {
    String key = AuthenticationGuard.authIdKey(org, authId);
    Reply.Rejected refused = twinGateway.guard().refusal(key, address);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    long stamp = twinGateway.guard().stamp();
    return twinGateway
        .ask(authIdIndex(org, authId), AuthIdIndex.TABLE.lookup())
        .thenComposeAsync(
            found -> {
              if (!(found instanceof Reply.DeviceFound device)) {
                twinGateway.guard().cannotMatch(key, address, stamp);
                return CompletableFuture.completedFuture(Reply.Rejected.unauthorized());
              }
              return twinGateway
                  .askVerified(
                      twinGateway.twin(device.device()),
                      (verifiedAgainst, replyTo) ->
                          new TwinCommand.AuthenticateCredential(
                              authId, password, verifiedAgainst, replyTo),
                      password,
                      address)
                  .thenApply(
                      reply -> {
                        if (!(reply instanceof Reply.Done)) {
                          return reply;
                        }
                        twinGateway.guard().matched(key);
                        return device;
                      });
            },
            SAME_THREAD);
  }

  /**
   * The device that holds the x509-cert credential {@code subjectDn} (RFC 2253) of {@code org}:
   * {@link Reply.DeviceFound}, or a rejection (UNAUTHORIZED for an unknown subject, DISABLED). The
   * caller has validated the client certificate against the tenant's trusted CA.
   */
  public CompletionStage<Reply> authenticateCertificate(String org, String subjectDn) {
    return twinGateway
        .ask(authIdIndex(org, subjectDn), AuthIdIndex.TABLE.lookup())
        .thenComposeAsync(
            found -> {
              if (!(found instanceof Reply.DeviceFound device)) {
                return CompletableFuture.completedFuture(Reply.Rejected.unauthorized());
              }
              return twinGateway
                  .ask(
                      twinGateway.twin(device.device()),
                      replyTo -> new TwinCommand.AuthenticateCertificate(subjectDn, replyTo))
                  .thenApply(reply -> reply instanceof Reply.Done ? device : reply);
            },
            SAME_THREAD);
  }

  /** The tenant that trusts the CA {@code subjectDn}: {@link Reply.TenantFound} or NOT_FOUND. */
  public CompletionStage<Reply> tenantTrusting(String subjectDn) {
    return twinGateway.ask(trustedCaIndex(subjectDn), TrustedCaIndex.TABLE.lookup());
  }

  public CompletionStage<Reply> claimTrustedCa(String org, String subjectDn) {
    return twinGateway.ask(trustedCaIndex(subjectDn), TrustedCaIndex.TABLE.claim(org));
  }

  public CompletionStage<Reply> releaseTrustedCa(String org, String subjectDn) {
    return twinGateway.ask(trustedCaIndex(subjectDn), TrustedCaIndex.TABLE.release(org));
  }

  private EntityRef<ClaimEntity.Command> trustedCaIndex(String subjectDn) {
    return twinGateway.entity(TrustedCaIndex.TABLE.entityKey(), subjectDn);
  }

  public CompletionStage<Reply> claimAuthId(DeviceKey device, String authId) {
    return twinGateway
        .guard()
        .forget(AuthenticationGuard.authIdKey(device.org(), authId))
        .thenCompose(
            forgotten ->
                twinGateway.ask(
                    authIdIndex(device.org(), authId), AuthIdIndex.TABLE.claim(device)));
  }

  public CompletionStage<Reply> releaseAuthId(DeviceKey device, String authId) {
    return twinGateway.ask(authIdIndex(device.org(), authId), AuthIdIndex.TABLE.release(device));
  }

  private EntityRef<ClaimEntity.Command> authIdIndex(String org, String authId) {
    return twinGateway.entity(AuthIdIndex.TABLE.entityKey(), AuthIdIndex.entityId(org, authId));
  }
}
