package io.entwine.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.claims.ClaimEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.registry.StateEventIds;
import io.entwine.twin.TwinCommand;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * A device's state document (reported, desired, delta, version) as the edges ask for it through
 * {@link TwinGateway#states()}: applications read it and change the desired state; the device,
 * authenticated by its token like its events, reads it and patches its reported state. Answers
 * {@link Reply.StateView}, {@link Reply.StateVersionMismatch} for a write that named another
 * version, or a rejection (NOT_FOUND, INVALID too deep, TOO_LARGE).
 */
public final class StateRequests {
  private final TwinGateway twinGateway;
  private final ReportedFromEvents reportedFromEvents;

  StateRequests(TwinGateway gateway, ReportedFromEvents reportedFromEvents) {
    this.twinGateway = gateway;
    this.reportedFromEvents = reportedFromEvents;
  }

  /** {@link Reply.EventIds}: the event ids of {@code type} whose objects report state. */
  public CompletionStage<Reply> stateEventIds(String org, String type) {
    return twinGateway.ask(stateEventIdsOf(org, type), StateEventIds.TABLE.lookup());
  }

  /**
   * Makes {@code eventIds} the event ids of {@code type} whose objects report state: {@link
   * Reply.EventIds} as they are now. Not one atomic change: a failure half-way leaves some.
   */
  public CompletionStage<Reply> setStateEventIds(String org, String type, List<String> eventIds) {
    EntityRef<ClaimEntity.Command> table = stateEventIdsOf(org, type);
    return stateEventIds(org, type)
        .thenCompose(
            current -> {
              CompletionStage<Reply> changes = CompletableFuture.completedFuture(new Reply.Done());
              for (String gone : ((Reply.EventIds) current).eventIds()) {
                if (!eventIds.contains(gone)) {
                  changes =
                      changes.thenCompose(
                          done -> twinGateway.ask(table, StateEventIds.TABLE.release(gone)));
                }
              }
              for (String added : eventIds) {
                changes =
                    changes.thenCompose(
                        done ->
                            done instanceof Reply.Rejected
                                ? CompletableFuture.completedFuture(done)
                                : twinGateway.ask(table, StateEventIds.TABLE.claim(added)));
              }
              return changes;
            })
        .thenCompose(
            changed -> {
              reportedFromEvents.forget(org, type);
              return changed instanceof Reply.Rejected
                  ? CompletableFuture.completedFuture(changed)
                  : stateEventIds(org, type);
            });
  }

  private EntityRef<ClaimEntity.Command> stateEventIdsOf(String org, String type) {
    return twinGateway.entity(StateEventIds.TABLE.entityKey(), StateEventIds.entityId(org, type));
  }

  /** The state as an application reads it. */
  public CompletionStage<Reply> state(DeviceKey device) {
    return twinGateway.ask(twinGateway.twin(device), TwinCommand.GetState::new);
  }

  /**
   * Merges {@code document} into the desired state (RFC 7396), or with {@code replace} makes the
   * desired state equal to it; only at {@code expectedVersion} unless it is null.
   */
  public CompletionStage<Reply> changeDesired(
      DeviceKey device, ObjectNode document, boolean replace, Long expectedVersion) {
    return twinGateway.ask(
        twinGateway.twin(device),
        replyTo ->
            new TwinCommand.ChangeDesiredState(
                document, replace, expectedVersion, Timestamps.now(), replyTo));
  }

  /** The state as the device presenting {@code token} from {@code address} reads it. */
  public CompletionStage<Reply> deviceState(DeviceKey device, String token, String address) {
    return twinGateway.askGuarded(
        AuthenticationGuard.deviceKey(device),
        address,
        twinGateway.twin(device),
        (verifiedAgainst, replyTo) ->
            new TwinCommand.GetDeviceState(token, verifiedAgainst, replyTo),
        token);
  }

  /**
   * The device presenting {@code token} merges {@code patch} into its reported state (RFC 7396);
   * only at {@code expectedVersion} unless it is null. Answered after the persist.
   */
  public CompletionStage<Reply> patchReported(
      DeviceKey device, String token, ObjectNode patch, Long expectedVersion, String address) {
    return twinGateway.askGuarded(
        AuthenticationGuard.deviceKey(device),
        address,
        twinGateway.twin(device),
        (verifiedAgainst, replyTo) ->
            new TwinCommand.PatchReportedState(
                token, verifiedAgainst, patch, expectedVersion, Timestamps.now(), replyTo),
        token);
  }

  /**
   * The device presenting {@code token} merges {@code patches} into its reported state one after
   * another, in one write: {@link Reply.ReportedPatchesApplied} after the persist.
   */
  public CompletionStage<Reply> patchReportedInOrder(
      DeviceKey device, String token, List<ObjectNode> patches) {
    return twinGateway.askGuarded(
        AuthenticationGuard.deviceKey(device),
        null,
        twinGateway.twin(device),
        (verifiedAgainst, replyTo) ->
            new TwinCommand.PatchReportedStates(
                token, verifiedAgainst, List.copyOf(patches), Timestamps.now(), replyTo),
        token);
  }
}
