package io.entwine.twin;

import io.entwine.identity.DeviceKey;
import io.entwine.protocol.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A twin's commands, oldest first: those waiting for delivery, and the most recent finished ones
 * (delivered, responded or expired) for listing. Immutable; every change returns a new queue.
 */
public record CommandQueue(List<QueuedCommand> commands) implements CborSerializable {
  public static final CommandQueue EMPTY = new CommandQueue(List.of());

  /** How many finished commands are kept for listing. */
  static final int FINISHED_KEPT = 20;

  /** queued → delivered → responded, or queued → expired. */
  public enum Status {
    QUEUED,
    DELIVERED,
    RESPONDED,
    EXPIRED
  }

  /** What the device answered: a status code (Hono's {@code hono-cmd-status}) and a payload. */
  public record Response(int status, String format, byte[] payload, Instant at) {}

  public record QueuedCommand(
      String commandId,
      String command,
      String format,
      byte[] payload,
      Instant queuedAt,
      Instant expiresAt,
      Status status,
      Response response,
      DeviceKey receiver) {

    QueuedCommand withStatus(Status newStatus) {
      return with(newStatus, response, receiver);
    }

    QueuedCommand withReceiver(DeviceKey newReceiver) {
      return with(Status.DELIVERED, response, newReceiver);
    }

    QueuedCommand withResponse(Response newResponse) {
      return with(Status.RESPONDED, newResponse, receiver);
    }

    private QueuedCommand with(Status newStatus, Response newResponse, DeviceKey newReceiver) {
      return new QueuedCommand(
          commandId,
          command,
          format,
          payload,
          queuedAt,
          expiresAt,
          newStatus,
          newResponse,
          newReceiver);
    }

    /**
     * Whether {@code responder} (the device, or the gateway answering for it) got this command: a
     * command nobody got, or that another got, is not its to answer. Commands delivered before
     * receivers were recorded accept any responder the twin accepts.
     */
    public boolean wasDeliveredTo(DeviceKey responder) {
      return status == Status.DELIVERED && (receiver == null || receiver.equals(responder));
    }

    public boolean isWaiting() {
      return status == Status.QUEUED;
    }
  }

  public long waitingCount() {
    return commands.stream().filter(QueuedCommand::isWaiting).count();
  }

  /** Waiting commands, oldest first. */
  public List<QueuedCommand> waiting() {
    return commands.stream().filter(QueuedCommand::isWaiting).toList();
  }

  /** Waiting commands whose time to live is over at {@code now}. */
  public List<QueuedCommand> expiredAt(Instant now) {
    return commands.stream().filter(c -> c.isWaiting() && !c.expiresAt().isAfter(now)).toList();
  }

  /** The oldest waiting command still alive at {@code now}. */
  public Optional<QueuedCommand> nextDeliverable(Instant now) {
    return commands.stream().filter(c -> c.isWaiting() && c.expiresAt().isAfter(now)).findFirst();
  }

  public boolean isWaiting(String commandId) {
    return commands.stream().anyMatch(c -> c.isWaiting() && c.commandId().equals(commandId));
  }

  public Optional<QueuedCommand> find(String commandId) {
    return commands.stream().filter(c -> c.commandId().equals(commandId)).findFirst();
  }

  CommandQueue withQueued(QueuedCommand command) {
    List<QueuedCommand> updated = new ArrayList<>(commands);
    updated.add(command);
    return new CommandQueue(List.copyOf(updated));
  }

  CommandQueue withStatus(String commandId, Status status) {
    List<QueuedCommand> updated = new ArrayList<>(commands.size());
    for (QueuedCommand c : commands) {
      updated.add(c.commandId().equals(commandId) ? c.withStatus(status) : c);
    }
    return new CommandQueue(List.copyOf(dropOldFinished(updated)));
  }

  CommandQueue withDelivered(String commandId, DeviceKey receiver) {
    List<QueuedCommand> updated = new ArrayList<>(commands.size());
    for (QueuedCommand c : commands) {
      updated.add(c.commandId().equals(commandId) ? c.withReceiver(receiver) : c);
    }
    return new CommandQueue(List.copyOf(dropOldFinished(updated)));
  }

  CommandQueue withResponse(String commandId, Response response) {
    List<QueuedCommand> updated = new ArrayList<>(commands.size());
    for (QueuedCommand c : commands) {
      updated.add(c.commandId().equals(commandId) ? c.withResponse(response) : c);
    }
    return new CommandQueue(List.copyOf(dropOldFinished(updated)));
  }

  private static List<QueuedCommand> dropOldFinished(List<QueuedCommand> all) {
    long finished = all.stream().filter(c -> !c.isWaiting()).count();
    List<QueuedCommand> kept = new ArrayList<>(all.size());
    for (QueuedCommand c : all) {
      if (!c.isWaiting() && finished > FINISHED_KEPT) {
        finished--;
      } else {
        kept.add(c);
      }
    }
    return kept;
  }
}
