package io.entwine.ingress;

import io.entwine.concurrent.Failures;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Commands to devices and the devices' responses: queued on the device's twin, waited for by a Hono
 * request or an application, handed to an MQTT session or an integration's downlink; as the edges
 * ask for them through {@link TwinGateway#commands()}.
 */
public final class CommandRequests extends GatewayRequests {
  CommandRequests(TwinGateway gateway) {
    super(gateway);
  }

  /** Queues a command durably on the device's twin: {@link Reply.CommandAccepted}. */
  public CompletionStage<Reply> queue(
      DeviceKey device,
      String commandId,
      String command,
      String format,
      byte[] payload,
      Duration timeToLive) {
    return askTwin(
        device,
        replyTo ->
            new TwinCommand.QueueCommand(
                commandId, command, format, payload, timeToLive, Timestamps.now(), replyTo));
  }

  /** {@link Reply.CommandList}: pending and recent commands. */
  public CompletionStage<Reply> list(DeviceKey device) {
    return askTwin(device, TwinCommand.ListCommands::new);
  }

  /** What waits for an integration's device: {@link Reply.Downlink}. */
  public CompletionStage<Reply> takeDownlink(DeviceKey device) {
    return askTwin(device, TwinCommand.TakeDownlink::new);
  }

  /** Records the attribute change {@code version} as handed to the device. */
  public CompletionStage<Reply> confirmAttributesDelivered(DeviceKey device, long version) {
    return askTwin(
        device,
        replyTo -> new TwinCommand.ConfirmAttributesDelivered(version, Timestamps.now(), replyTo));
  }

  /** Remembers that the state delta of {@code version} was handed to the device. */
  public CompletionStage<Reply> confirmDeltaDelivered(DeviceKey device, long version) {
    return askTwin(device, replyTo -> new TwinCommand.ConfirmDeltaDelivered(version, replyTo));
  }

  /** Records command {@code commandId} as handed to the device. */
  public CompletionStage<Reply> confirmDelivered(DeviceKey device, String commandId) {
    return askTwin(
        device, replyTo -> new TwinCommand.ConfirmDelivered(commandId, Timestamps.now(), replyTo));
  }

  /**
   * Records the device's response ({@code status}, payload) to command {@code commandId}, sent by
   * {@code gateway} for it (null: by the device): Done when an application waited for it.
   */
  public CompletionStage<Reply> respondToCommand(
      DeviceKey device,
      String commandId,
      int status,
      String format,
      byte[] payload,
      DeviceKey gateway) {
    return askTwin(
        device,
        replyTo ->
            new TwinCommand.RespondToCommand(
                commandId, status, format, payload, gateway, Timestamps.now(), replyTo));
  }

  /**
   * Waits up to {@code timeout} for the device's response to a queued command: {@link
   * Reply.CommandResponse}, or TIMED_OUT when none came in time.
   */
  public CompletionStage<Reply> awaitCommandResponse(
      DeviceKey device, String commandId, Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    return twinGateway
        .twin(device)
        .<Reply>ask(
            replyTo -> new TwinCommand.AwaitCommandResponse(commandId, until, replyTo), timeout)
        .exceptionally(
            failure -> {
              if (isTimeout(failure)) {
                return new Reply.Rejected(
                    Rejection.TIMED_OUT,
                    "No response to command '"
                        + commandId
                        + "' within "
                        + timeout.toSeconds()
                        + " s");
              }
              throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
            });
  }

  /**
   * A request that waits up to {@code ttd} for a command for {@code target} (Hono {@code
   * hono-ttd}); {@code gateway} is the gateway waiting for it, null for the device itself (a
   * gateway's own wait also takes commands its devices offer it). Answers {@link
   * Reply.CommandToDeliver} or {@link Reply.NoCommand}. The twin decides which of several waiting
   * requests gets a command; at {@code ttd} this tells it that the request gives up, and the twin
   * answers it NoCommand unless it handed it a command first. While it waits the request renews its
   * wait every {@code entwine.twin.command-wait-renewal}, so a twin that restarts or moves to
   * another node meanwhile learns of it again and still hands it a command.
   */
  public CompletionStage<Reply> waitForCommand(DeviceKey target, DeviceKey gateway, Duration ttd) {
    String waiterId = UUID.randomUUID().toString();
    Instant until = Instant.now().plus(ttd);
    AtomicReference<ActorRef<Reply>> waiting = new AtomicReference<>();
    EntityRef<TwinCommand> twin = twinGateway.twin(target);
    CompletionStage<Reply> answer =
        twin.ask(
            replyTo -> {
              waiting.set(replyTo);
              return new TwinCommand.WaitForCommand(waiterId, gateway, until, replyTo);
            },
            ttd.plus(twinGateway.askTimeout()));
    Scheduler scheduler = twinGateway.system().scheduler();
    AtomicBoolean renewed = new AtomicBoolean();
    Cancellable renewals =
        scheduler.scheduleWithFixedDelay(
            twinGateway.waitRenewal(),
            twinGateway.waitRenewal(),
            () -> {
              if (Instant.now().plus(twinGateway.waitRenewal()).isBefore(until)) {
                renewed.set(true);
                twin.tell(new TwinCommand.RenewWait(waiterId, gateway, until, waiting.get()));
              }
            },
            twinGateway.system().executionContext());
    scheduler.scheduleOnce(
        ttd,
        () -> twin.tell(new TwinCommand.StopWaiting(waiterId, waiting.get())),
        twinGateway.system().executionContext());
    answer.whenComplete(
        (reply, failure) -> {
          renewals.cancel();
          if (renewed.get()) {
            // a renewal may reach a twin that restarted after it answered: end the wait there too
            twin.tell(new TwinCommand.StopWaiting(waiterId, waiting.get()));
          }
        });
    return answer.exceptionally(
        failure -> {
          if (isTimeout(failure)) {
            return new Reply.NoCommand();
          }
          throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
        });
  }

  private static boolean isTimeout(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    return cause instanceof TimeoutException
        || cause instanceof org.apache.pekko.pattern.AskTimeoutException;
  }
}
