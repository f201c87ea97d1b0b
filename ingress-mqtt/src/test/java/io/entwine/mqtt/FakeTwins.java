package io.entwine.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.GatewayEvents;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Twins for endpoint tests: known device tokens and API keys, and every record call kept with its
 * future, which the test completes now ({@link #autoComplete}) or later ({@link #nextRecord}).
 */
final class FakeTwins implements TwinAccess {
  record Recording(DeviceMessage message, String credential, CompletableFuture<Reply> reply) {
    void done() {
      reply.complete(new Reply.Done());
    }
  }

  private final Map<DeviceKey, String> deviceTokens = new ConcurrentHashMap<>();
  private final Map<String, String> apiKeyTokens = new ConcurrentHashMap<>();
  private final Map<DeviceKey, DeviceKey> gatewaysOf = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<Recording> pending = new LinkedBlockingQueue<>();
  final List<Recording> recorded = new CopyOnWriteArrayList<>();

  /** The sizes of the multi-event writes asked for, in order. */
  final List<Integer> batches = new CopyOnWriteArrayList<>();

  volatile boolean autoComplete = true;

  record QueuedCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload) {}

  final List<QueuedCommand> commands = new CopyOnWriteArrayList<>();

  /** Locations set through the device management protocol. */
  final List<ObjectNode> locations = new CopyOnWriteArrayList<>();

  /** The answer to the next commands; null accepts them (and hands them to {@link #cluster}). */
  volatile Reply commandReply;

  /** Where accepted commands go, as a twin hands them to its attached connection. */
  volatile LocalClusterLink cluster;

  FakeTwins device(DeviceKey device, String token) {
    deviceTokens.put(device, token);
    return this;
  }

  /** Lets {@code gateway} act for {@code device}; no gateway may act for any other device. */
  FakeTwins via(DeviceKey device, DeviceKey gateway) {
    gatewaysOf.put(device, gateway);
    return this;
  }

  FakeTwins apiKey(String key, String token) {
    apiKeyTokens.put(key, token);
    return this;
  }

  @Override
  public CompletionStage<Reply> authenticateDevice(DeviceKey device, String token, String address) {
    return CompletableFuture.completedFuture(
        token.equals(deviceTokens.get(device)) ? new Reply.Done() : unauthorized());
  }

  @Override
  public CompletionStage<Reply> authenticateApiKey(
      String org, String key, String token, String address) {
    return CompletableFuture.completedFuture(
        token.equals(apiKeyTokens.get(key)) ? new Reply.Done() : unauthorized());
  }

  @Override
  public CompletionStage<Reply> recordEvent(DeviceMessage message, String deviceToken) {
    return record(message, deviceToken);
  }

  /** One recording per event, as the twin persists them in order; Done once all are. */
  @Override
  public CompletionStage<Reply> recordEvents(List<DeviceMessage> messages, String deviceToken) {
    batches.add(messages.size());
    CompletableFuture<?>[] all =
        messages.stream()
            .map(m -> record(m, deviceToken).toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).thenApply(done -> new Reply.Done());
  }

  @Override
  public CompletionStage<Reply> recordApplicationEvent(DeviceMessage message, String apiKey) {
    return record(message, apiKey);
  }

  @Override
  public CompletionStage<Reply> mayActFor(DeviceKey gateway, DeviceKey device) {
    return CompletableFuture.completedFuture(
        gateway.equals(gatewaysOf.get(device))
            ? new Reply.Done()
            : new Reply.Rejected(Rejection.FORBIDDEN, "not a gateway of " + device.id()));
  }

  /** Recorded with the gateway's client id as the credential, when the gateway may act for it. */
  @Override
  public CompletionStage<Reply> recordGatewayEvent(
      DeviceMessage message, DeviceKey gateway, Function<Reply.Rejected, Reply> deviceRefused) {
    if (!gateway.equals(gatewaysOf.get(message.device()))) {
      return CompletableFuture.completedFuture(
          deviceRefused.apply(
              new Reply.Rejected(
                  Rejection.FORBIDDEN, "not a gateway of " + message.device().id())));
    }
    return record(message, GatewayEvents.clientId(gateway));
  }

  @Override
  public CompletionStage<Reply> queueCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload) {
    Reply answer = commandReply;
    if (answer != null) {
      return CompletableFuture.completedFuture(answer);
    }
    commands.add(new QueuedCommand(device, commandId, command, format, payload));
    if (cluster != null) {
      cluster.queue(device, commandId, command, format, payload);
    }
    return CompletableFuture.completedFuture(new Reply.CommandAccepted(commandId));
  }

  /**
   * What a device reading its state gets (as a subscription to its delta does); null: the twins of
   * endpoint tests hold no state document. Writing state is tested in deploy.
   */
  volatile Reply deviceState;

  @Override
  public CompletionStage<Reply> deviceState(DeviceKey device, String deviceToken) {
    return CompletableFuture.completedFuture(deviceState != null ? deviceState : noState());
  }

  /** A reported-state write asked for: its patches, answered when the test says. */
  record ReportedWrite(List<ObjectNode> patches, CompletableFuture<Reply> reply) {}

  /**
   * Reported-state writes, held for the test when set: the endpoint's batching is tested here, the
   * twin's handling of the patches in twin-cluster and deploy.
   */
  volatile LinkedBlockingQueue<ReportedWrite> reportedWrites;

  @Override
  public CompletionStage<Reply> patchReported(
      DeviceKey device, String deviceToken, ObjectNode patch) {
    return reportedWrite(List.of(patch));
  }

  @Override
  public CompletionStage<Reply> patchReportedInOrder(
      DeviceKey device, String deviceToken, List<ObjectNode> patches) {
    return reportedWrite(patches);
  }

  private CompletionStage<Reply> reportedWrite(List<ObjectNode> patches) {
    if (reportedWrites == null) {
      return CompletableFuture.completedFuture(noState());
    }
    ReportedWrite write = new ReportedWrite(patches, new CompletableFuture<>());
    reportedWrites.add(write);
    return write.reply();
  }

  @Override
  public CompletionStage<Reply> changeDesired(DeviceKey device, ObjectNode patch, Long version) {
    return CompletableFuture.completedFuture(noState());
  }

  @Override
  public CompletionStage<Reply> updateLocation(DeviceKey device, ObjectNode location) {
    locations.add(location);
    return CompletableFuture.completedFuture(new Reply.Done());
  }

  private static Reply noState() {
    return new Reply.Rejected(Rejection.UNAVAILABLE, "no state in endpoint tests");
  }

  private CompletionStage<Reply> record(DeviceMessage message, String credential) {
    Recording recording = new Recording(message, credential, new CompletableFuture<>());
    recorded.add(recording);
    if (autoComplete) {
      recording.done();
    } else {
      pending.add(recording);
    }
    return recording.reply();
  }

  /** The next record call that is waiting for the test, or null when none comes in time. */
  Recording nextRecord(Duration timeout) throws InterruptedException {
    return pending.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  int waitingRecords() {
    return pending.size();
  }

  private static Reply unauthorized() {
    return Reply.Rejected.unauthorized();
  }
}
