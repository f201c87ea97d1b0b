package io.entwine.mgmt;

import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ActionRequests.DeviceOutcomeRecorded;
import io.entwine.mgmt.ActionRequests.Event;
import io.entwine.mgmt.ActionRequests.Request;
import io.entwine.mgmt.ActionRequests.State;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The deadlines of one organization's {@link ActionRequests} (docs/adr/0071): a device whose part
 * has not ended {@code timeout} after its request was made times out with {@link
 * ActionRequests#TIMED_OUT}, and its {@link ManagedDevice} is told to drop the action. The deadline
 * is computed from the request's creation, so it holds across restarts without being stored.
 */
final class RequestDeadlines {
  private static final String TIMER = "deadline";

  private final String org;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final TimerScheduler<ActionRequests.Command> timers;

  RequestDeadlines(
      String org,
      ClusterSharding sharding,
      Duration timeout,
      TimerScheduler<ActionRequests.Command> timers) {
    this.org = org;
    this.sharding = sharding;
    this.timeout = timeout;
    this.timers = timers;
  }

  /** True when {@code request} is past its deadline at {@code now}. */
  boolean overdue(Request request, Instant now) {
    return !request.created().plus(timeout).isAfter(now);
  }

  /** The timed-out outcome of every device without an outcome whose request is overdue. */
  List<Event> timedOut(State state, Instant now) {
    List<Event> timedOut = new ArrayList<>();
    for (Request request : state.requests().values()) {
      if (request.complete() || !overdue(request, now)) {
        continue;
      }
      ActionOutcome outcome =
          new ActionOutcome(
              request.id(),
              false,
              ActionRequests.TIMED_OUT,
              "Timed out: the device did not complete the action within " + timeout,
              now);
      for (DeviceKey device : request.devices()) {
        if (!request.outcomes().containsKey(device.type() + "/" + device.id())) {
          timedOut.add(
              new DeviceOutcomeRecorded(request.id(), device.type(), device.id(), outcome));
        }
      }
    }
    return timedOut;
  }

  /** Tells the devices that timed out to drop the action (a device that ended it ignores this). */
  void abandon(List<Event> events) {
    for (Event event : events) {
      if (event instanceof DeviceOutcomeRecorded recorded) {
        sharding
            .entityRefFor(
                ManagedDevice.ENTITY_KEY,
                new DeviceKey(org, recorded.typeId(), recorded.deviceId()).entityId())
            .tell(new ManagedDeviceProtocol.Abandon(recorded.outcome()));
      }
    }
  }

  /** A timer for the next deadline of an unfinished request, or none when all are complete. */
  void watch(State state) {
    state.requests().values().stream()
        .filter(request -> !request.complete())
        .map(request -> request.created().plus(timeout))
        .min(Instant::compareTo)
        .ifPresentOrElse(
            deadline ->
                timers.startSingleTimer(
                    TIMER,
                    new ActionRequests.CheckDeadlines(),
                    Duration.ofMillis(
                        Math.max(0, Duration.between(Instant.now(), deadline).toMillis()) + 1)),
            () -> timers.cancel(TIMER));
  }
}
