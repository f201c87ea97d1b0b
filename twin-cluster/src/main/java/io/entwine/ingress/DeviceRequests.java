package io.entwine.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.claims.ClaimEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.registry.DeviceIdIndex;
import io.entwine.twin.TwinCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * A device's registration, metadata, shared attributes and last events, and the index that resolves
 * a bare device id ({@link DeviceIdIndex}), as the edges ask for them through {@link
 * TwinGateway#devices()}.
 */
public final class DeviceRequests extends GatewayRequests {
  DeviceRequests(TwinGateway gateway) {
    super(gateway);
  }

  /** {@link Reply.DeviceInfo} or NOT_FOUND. */
  public CompletionStage<Reply> get(DeviceKey device) {
    return askTwin(device, TwinCommand.Get::new);
  }

  /**
   * Done when what {@code gateway} sends for {@code device} may reach it; the refusal otherwise.
   */
  public CompletionStage<Reply> checkSender(DeviceKey device, DeviceKey gateway) {
    return askTwin(device, replyTo -> new TwinCommand.CheckSender(gateway, replyTo));
  }

  /** Changes metadata and the enabled flag (null: unchanged): {@link Reply.DeviceInfo}. */
  public CompletionStage<Reply> update(DeviceKey device, JsonNode metadata, Boolean enabled) {
    return askTwin(
        device, replyTo -> new TwinCommand.Update(metadata, enabled, Timestamps.now(), replyTo));
  }

  /**
   * Sets the parts of the device's IBM v0002 profile that {@code change} holds: {@link
   * Reply.DeviceInfo} or NOT_FOUND.
   */
  public CompletionStage<Reply> updateProfile(DeviceKey device, DeviceProfile change) {
    return twinGateway.ask(
        twinGateway.twin(device),
        replyTo -> new TwinCommand.UpdateProfile(change, Timestamps.now(), replyTo));
  }

  /** Has the twin persist its profile again, tagged for the registry (docs/adr/0070). */
  public CompletionStage<Reply> republishProfile(DeviceKey device) {
    return askTwin(device, replyTo -> new TwinCommand.RepublishProfile(Timestamps.now(), replyTo));
  }

  public CompletionStage<Reply> delete(DeviceKey device) {
    return askTwin(device, replyTo -> new TwinCommand.Delete(Timestamps.now(), replyTo));
  }

  /**
   * Deletes the twin, then frees what the organization-wide indexes hold for it: its auth-ids, its
   * id under this type and its place in the organization's device quota. Done or NOT_FOUND.
   */
  public CompletionStage<Reply> deleteAndRelease(DeviceKey device) {
    CredentialRequests credentialRequests = twinGateway.credentials();
    return credentialRequests
        .list(device)
        .thenComposeAsync(
            credentials ->
                delete(device)
                    .thenComposeAsync(
                        deleted -> {
                          if (!(deleted instanceof Reply.Done)
                              || !(credentials instanceof Reply.CredentialList list)) {
                            return CompletableFuture.completedFuture(deleted);
                          }
                          List<CompletableFuture<Reply>> freed = new ArrayList<>();
                          freed.add(unindexDeviceId(device).toCompletableFuture());
                          freed.add(
                              twinGateway
                                  .organizations()
                                  .releaseDevices(device.org(), 1)
                                  .toCompletableFuture());
                          for (Reply.CredentialInfo c : list.credentials()) {
                            if (c.authId() != null) {
                              freed.add(
                                  credentialRequests
                                      .releaseAuthId(device, c.authId())
                                      .toCompletableFuture());
                            }
                          }
                          return CompletableFuture.allOf(freed.toArray(CompletableFuture[]::new))
                              .thenApply(all -> deleted);
                        },
                        SAME_THREAD),
            SAME_THREAD);
  }

  /** The last event of each id ({@code eventId} null), or of {@code eventId}. */
  public CompletionStage<Reply> lastEvents(DeviceKey device, String eventId) {
    return askTwin(device, replyTo -> new TwinCommand.GetLastEvents(eventId, replyTo));
  }

  public CompletionStage<Reply> attributes(DeviceKey device) {
    return askTwin(device, TwinCommand.GetAttributes::new);
  }

  /** Merges {@code attributes} into the shared attributes (a null value removes one). */
  public CompletionStage<Reply> setAttributes(DeviceKey device, ObjectNode attributes) {
    return askTwin(
        device, replyTo -> new TwinCommand.SetAttributes(attributes, Timestamps.now(), replyTo));
  }

  /**
   * The registered device with id {@code id} in {@code org}, whatever its type: {@link
   * Reply.DeviceFound}, NOT_FOUND, or ALREADY_EXISTS when the id is registered under several types
   * (ambiguous for protocols that address devices by id alone).
   */
  public CompletionStage<Reply> resolveDeviceId(String org, String id) {
    return twinGateway
        .ask(deviceIdIndex(org, id), DeviceIdIndex.TABLE.lookup())
        .thenComposeAsync(
            reply -> {
              List<String> types = ((Reply.DeviceTypes) reply).types();
              if (types.size() == 1) {
                return CompletableFuture.completedFuture(
                    new Reply.DeviceFound(new DeviceKey(org, types.get(0), id)));
              }
              return registeredAmong(org, id, types);
            },
            SAME_THREAD);
  }

  /** Keeps the types whose twin is registered (the index may name a failed registration). */
  private CompletionStage<Reply> registeredAmong(String org, String id, List<String> types) {
    List<CompletableFuture<Reply>> asks = new ArrayList<>();
    for (String type : types) {
      asks.add(askTwin(new DeviceKey(org, type, id), TwinCommand.Get::new).toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<DeviceKey> registered = new ArrayList<>();
              for (int i = 0; i < types.size(); i++) {
                if (asks.get(i).join() instanceof Reply.DeviceInfo) {
                  registered.add(new DeviceKey(org, types.get(i), id));
                }
              }
              if (registered.size() == 1) {
                return new Reply.DeviceFound(registered.get(0));
              }
              if (registered.isEmpty()) {
                return new Reply.Rejected(
                    Rejection.NOT_FOUND, "Device '" + id + "' is not registered");
              }
              return new Reply.Rejected(
                  Rejection.ALREADY_EXISTS,
                  "Device id '"
                      + id
                      + "' is registered under several device types ("
                      + String.join(", ", registered.stream().map(DeviceKey::type).toList())
                      + "); it cannot be addressed by id alone");
            });
  }

  /**
   * Registers {@code device} with {@code token} (slow-hashed off the actor): {@link
   * Reply.DeviceInfo}, ALREADY_EXISTS, or FORBIDDEN when the organization is at its device quota
   * (nothing is registered then). Every API that registers devices comes through here.
   */
  public CompletionStage<Reply> registerDevice(
      DeviceKey device,
      String token,
      JsonNode metadata,
      String registeredBy,
      String registeredByType) {
    return registerDevice(device, token, metadata, null, registeredBy, registeredByType);
  }

  /** {@link #registerDevice}, with the device's IBM v0002 profile (null when it has none). */
  public CompletionStage<Reply> registerDevice(
      DeviceKey device,
      String token,
      JsonNode metadata,
      DeviceProfile profile,
      String registeredBy,
      String registeredByType) {
    return twinGateway
        .organizations()
        .reserveDevices(device.org(), 1)
        .thenComposeAsync(
            reserved ->
                reserved instanceof Reply.Rejected
                    ? CompletableFuture.completedFuture(reserved)
                    : registerReserved(
                        device, token, metadata, profile, registeredBy, registeredByType),
            SAME_THREAD);
  }

  /**
   * Registers {@code device} for which one device of the quota was reserved ({@link
   * OrganizationRequests#reserveDevices}); releases it when the device is not registered (it
   * existed already). The id is indexed first, so a bare Hono device id resolves as soon as the
   * registration is answered; a registration that fails after this leaves an entry the resolver
   * ignores. A registration that did not answer keeps its reservation: the count errs on the side
   * of the quota.
   */
  public CompletionStage<Reply> registerReserved(
      DeviceKey device,
      String token,
      JsonNode metadata,
      String registeredBy,
      String registeredByType) {
    return registerReserved(device, token, metadata, null, registeredBy, registeredByType);
  }

  private CompletionStage<Reply> registerReserved(
      DeviceKey device,
      String token,
      JsonNode metadata,
      DeviceProfile profile,
      String registeredBy,
      String registeredByType) {
    return indexDeviceId(device)
        .thenComposeAsync(indexed -> twinGateway.secrets().hash(token), SAME_THREAD)
        .thenComposeAsync(
            // before the twin is registered: a request that asks after this may remember nothing
            secretHash -> forgetUnknown(device).thenApply(forgotten -> secretHash),
            SAME_THREAD)
        .thenComposeAsync(
            secretHash ->
                askTwin(
                    device,
                    replyTo ->
                        new TwinCommand.Register(
                            secretHash,
                            metadata,
                            profile,
                            registeredBy,
                            registeredByType,
                            Timestamps.now(),
                            replyTo)),
            SAME_THREAD)
        // a full slow-hash queue registered nothing: 503 at once, and the reservation returns
        .exceptionallyCompose(TwinGateway::busyOr)
        .thenComposeAsync(
            reply ->
                reply instanceof Reply.Rejected
                    ? twinGateway
                        .organizations()
                        .releaseDevices(device.org(), 1)
                        .thenApply(released -> reply)
                    : CompletableFuture.completedFuture(reply),
            SAME_THREAD);
  }

  public CompletionStage<Reply> indexDeviceId(DeviceKey device) {
    return twinGateway.ask(
        deviceIdIndex(device.org(), device.id()), DeviceIdIndex.TABLE.claim(device));
  }

  public CompletionStage<Reply> unindexDeviceId(DeviceKey device) {
    return twinGateway.ask(
        deviceIdIndex(device.org(), device.id()), DeviceIdIndex.TABLE.release(device));
  }

  /**
   * Makes every node ask the entities again for {@code device}'s token and PSK: call before a
   * registration or a new credential takes effect, and answer after it completes.
   */
  public CompletionStage<Void> forgetUnknown(DeviceKey device) {
    AuthenticationGuard guard = twinGateway.guard();
    return guard
        .forget(AuthenticationGuard.deviceKey(device))
        .thenCombine(guard.forget(AuthenticationGuard.pskKey(device)), (token, psk) -> null);
  }

  /** Done, or ALREADY_EXISTS when another device of the organization holds {@code authId}. */
  private EntityRef<ClaimEntity.Command> deviceIdIndex(String org, String id) {
    return twinGateway.entity(DeviceIdIndex.TABLE.entityKey(), DeviceIdIndex.entityId(org, id));
  }
}
