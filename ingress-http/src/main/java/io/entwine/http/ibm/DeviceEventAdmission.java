package io.entwine.http.ibm;

import io.entwine.http.common.AdmissionRefusals;
import io.entwine.http.common.ApiResponses;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Admission;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.GatewayEvents;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * An IBM HTTP device event through its organization's admission — the {@code ibm-http} adapter
 * switched on (403), the payload limit (413), the message budget (429) — and then recorded (200
 * once persisted).
 *
 * <p>The twin checks the device's token with the event itself, so admission cannot wait for
 * authentication as Hono's does: a refusal is told only to a sender whose token the twin accepts
 * (one more ask, on the refusal path only); anyone else gets the twin's answer (401, 404), learning
 * nothing of the organization's settings, and a message the twin refuses gives its place in the
 * budget back.
 *
 * <p>An application's event on a device's behalf comes with an API key the route has already
 * checked, so its refusals are told at once.
 */
final class DeviceEventAdmission {
  private final TwinGateway gateway;
  private final Admission admission;
  private final GatewayEvents gatewayEvents;

  DeviceEventAdmission(TwinGateway gateway, OrganizationPolicies policies) {
    this.gateway = gateway;
    this.admission = new Admission(policies, gateway, "http");
    this.gatewayEvents = new GatewayEvents(gateway);
  }

  /** {@code bodyBytes}: the request body's size, as the organization's payload limit counts it. */
  CompletionStage<HttpResponse> record(
      DeviceMessage message, int bodyBytes, String token, String address) {
    return admitted(
        message,
        bodyBytes,
        () -> gateway.recordEvent(message, token, address),
        refusal ->
            gateway
                .authenticateDevice(message.device(), token, address)
                .thenApply(reply -> ApiResponses.fromReply(reply, authenticated -> refusal)));
  }

  /**
   * An event gateway {@code sender}, presenting {@code token}, sends for another device: 401 unless
   * the gateway's twin accepts the token; then through admission, 403 when the gateway may not act
   * for the device, and an unregistered device is registered for it first (docs/adr/0057).
   */
  CompletionStage<HttpResponse> recordForGateway(
      DeviceMessage message, int bodyBytes, DeviceKey sender, String token, String address) {
    return gateway
        .authenticateDevice(sender, token, address)
        .thenCompose(
            reply ->
                reply instanceof Reply.Done
                    ? admitted(
                        message,
                        bodyBytes,
                        () -> gatewayEvents.recordFor(sender, message),
                        CompletableFuture::completedFuture)
                    : CompletableFuture.completedFuture(
                        ApiResponses.fromReply(reply, done -> ok())));
  }

  /**
   * An event an application of the device's organization, authenticated by {@code apiKey}, sends on
   * the device's behalf; 404 when the twin does not know the device.
   */
  CompletionStage<HttpResponse> recordForApplication(
      DeviceMessage message, int bodyBytes, String apiKey) {
    return admitted(
        message,
        bodyBytes,
        () -> gateway.recordApplicationEvent(message, apiKey),
        CompletableFuture::completedFuture);
  }

  /** {@code record}ed when admitted, else the refusal as {@code refused} tells it. */
  private CompletionStage<HttpResponse> admitted(
      DeviceMessage message,
      int bodyBytes,
      Supplier<CompletionStage<Reply>> record,
      Function<HttpResponse, CompletionStage<HttpResponse>> refused) {
    return admission
        .admit(message.device().org(), Admission.IBM_HTTP, 1, bodyBytes, 0)
        .thenCompose(
            decision ->
                decision.admitted()
                    ? admission
                        .record(decision, record)
                        .thenApply(reply -> ApiResponses.fromReply(reply, done -> ok()))
                    : refused.apply(refusal(decision.refusal())));
  }

  private static HttpResponse ok() {
    return HttpResponse.create().withStatus(StatusCodes.OK);
  }

  private static HttpResponse refusal(Admission.Refusal refusal) {
    return AdmissionRefusals.response(refusal, "Organization", "IBM HTTP adapter (ibm-http)");
  }
}
