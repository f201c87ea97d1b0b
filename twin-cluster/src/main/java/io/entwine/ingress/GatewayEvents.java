package io.entwine.ingress;

import io.entwine.credentials.Tokens;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Events an IBM gateway ({@code g:ORG:TYPE:ID}, authenticated with its own token) publishes for the
 * devices it acts for, over MQTT or HTTP (Watson IoT Platform documentation, Gateways). IBM's model
 * maps onto Entwine's gateway authorization (docs/adr/0057): a gateway acts for a device whose
 * {@code via} lists it; a device it publishes for that is not registered is registered
 * automatically, as IBM does, with the gateway as its only {@code via} and as who registered it; a
 * device registered otherwise that does not list the gateway is refused (FORBIDDEN) and nothing is
 * recorded. Each event then takes the twin's one path for events whose sender the edge verified.
 */
public final class GatewayEvents {
  /** Who registered a device a gateway published for first ({@code registration.auth.type}). */
  public static final String REGISTERED_BY_GATEWAY = "gateway";

  /** IBM's device class of the device types created for automatically registered devices. */
  static final String DEVICE_CLASS = "Device";

  private static final Executor SAME_THREAD = Runnable::run;

  private final TwinGateway twins;

  /**
   * Registrations under way on this node, by device: the events a gateway pipelines for a new
   * device wait for the one registration instead of racing it (the second would find the device
   * registered before its {@code via} names the gateway).
   */
  private final Map<DeviceKey, CompletableFuture<Reply>> registering = new ConcurrentHashMap<>();

  private final GatewayRoleRequests roles;

  public GatewayEvents(TwinGateway twins) {
    this.twins = twins;
    this.roles = new GatewayRoleRequests(twins);
  }

  /** The client id a gateway connects with, and registers devices as: {@code g:ORG:TYPE:ID}. */
  public static String clientId(DeviceKey gateway) {
    return "g:" + gateway.org() + ":" + gateway.type() + ":" + gateway.id();
  }

  /**
   * Records {@code message} of a device other than {@code gateway}, which the edge authenticated;
   * Done once persisted, FORBIDDEN when the gateway may not act for the device, or the twin's
   * refusal (disabled device, organization at its device quota).
   */
  public CompletionStage<Reply> recordFor(DeviceKey gateway, DeviceMessage message) {
    return twins
        .recordVerifiedEvent(message, gateway, null)
        .thenComposeAsync(
            reply ->
                isNotRegistered(reply)
                    ? registered(message.device(), gateway)
                        .thenComposeAsync(
                            registration ->
                                registration instanceof Reply.Rejected rejected
                                        && rejected.reason() != Rejection.ALREADY_EXISTS
                                    ? CompletableFuture.completedFuture(registration)
                                    : twins.recordVerifiedEvent(message, gateway, null),
                            SAME_THREAD)
                    : CompletableFuture.completedFuture(reply),
            SAME_THREAD);
  }

  private static boolean isNotRegistered(Reply reply) {
    return reply instanceof Reply.Rejected rejected && rejected.reason() == Rejection.NOT_FOUND;
  }

  /** The registration of {@code device} by {@code gateway}, joined when one is under way here. */
  private CompletionStage<Reply> registered(DeviceKey device, DeviceKey gateway) {
    CompletableFuture<Reply> started = new CompletableFuture<>();
    CompletableFuture<Reply> under = registering.putIfAbsent(device, started);
    if (under != null) {
      return under;
    }
    register(device, gateway)
        .whenComplete(
            (reply, failure) -> {
              registering.remove(device, started);
              if (failure != null) {
                started.completeExceptionally(failure);
              } else {
                started.complete(reply);
              }
            });
    return started;
  }

  /**
   * Registers {@code device} unless {@code gateway} holds the standard role, which IBM's standard
   * gateways may not (Watson IoT Platform documentation, Gateway access control): FORBIDDEN then,
   * and nothing is registered.
   */
  private CompletionStage<Reply> register(DeviceKey device, DeviceKey gateway) {
    return roles
        .isStandard(gateway)
        .thenComposeAsync(
            standard ->
                standard
                    ? CompletableFuture.completedFuture(
                        GatewayRoleRequests.registrationRefused(gateway, device))
                    : registerForPrivileged(device, gateway),
            SAME_THREAD);
  }

  /**
   * Registers {@code device} under the organization's device quota, its type created when the
   * organization's catalog lacks it, with a token nobody is told (it connects only through its
   * gateways until an operator gives it one), then names {@code gateway} its only {@code via} (its
   * resource group); a device registered by someone else in between is left as it is
   * (ALREADY_EXISTS).
   */
  private CompletionStage<Reply> registerForPrivileged(DeviceKey device, DeviceKey gateway) {
    return twins
        .deviceTypes()
        .create(device.org(), device.type(), DEVICE_CLASS, null, null, null)
        .thenComposeAsync(
            type ->
                type instanceof Reply.Rejected rejected
                        && rejected.reason() != Rejection.ALREADY_EXISTS
                    ? CompletableFuture.completedFuture(type)
                    : twins
                        .devices()
                        .registerDevice(
                            device,
                            Tokens.secret(),
                            null,
                            clientId(gateway),
                            REGISTERED_BY_GATEWAY),
            SAME_THREAD)
        .thenComposeAsync(
            registration ->
                registration instanceof Reply.DeviceInfo
                    ? twins.credentials().setGateways(device, List.of(gateway))
                    : CompletableFuture.completedFuture(registration),
            SAME_THREAD);
  }
}
