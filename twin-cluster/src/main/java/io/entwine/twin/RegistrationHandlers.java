package io.entwine.twin;

import static io.entwine.protocol.JsonValues.absentIfNull;
import static io.entwine.twin.DeviceTwin.EFFECT;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand.Delete;
import io.entwine.twin.TwinCommand.Get;
import io.entwine.twin.TwinCommand.Register;
import io.entwine.twin.TwinCommand.RepublishProfile;
import io.entwine.twin.TwinCommand.Update;
import io.entwine.twin.TwinCommand.UpdateProfile;
import io.entwine.twin.TwinEvent.DeviceDeleted;
import io.entwine.twin.TwinEvent.DeviceRegistered;
import io.entwine.twin.TwinEvent.EnabledChanged;
import io.entwine.twin.TwinEvent.MetadataUpdated;
import io.entwine.twin.TwinEvent.ProfileUpdated;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/** A device's registration: registered once, its metadata and enabled flag updated, deleted. */
final class RegistrationHandlers {
  private RegistrationHandlers() {}

  static ReplyEffect<TwinEvent, TwinState> onRegister(
      DeviceTwin twin, TwinState state, Register command) {
    if (state.isRegistered()) {
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Rejected(
              Rejection.ALREADY_EXISTS,
              "Device "
                  + twin.device().type()
                  + "/"
                  + twin.device().id()
                  + " is already registered"));
    }
    DeviceRegistered registered =
        new DeviceRegistered(
            twin.device().org(),
            twin.device().type(),
            twin.device().id(),
            command.secretHash(),
            absentIfNull(command.metadata()),
            command.registeredBy(),
            command.registeredByType(),
            command.at());
    DeviceProfile profile = command.profile();
    List<TwinEvent> events =
        profile == null || profile.isEmpty()
            ? List.of(registered)
            : List.of(registered, new ProfileUpdated(profile, command.at()));
    return EFFECT.persist(events).thenReply(command.replyTo(), after -> info(twin, after));
  }

  static ReplyEffect<TwinEvent, TwinState> onUpdateProfile(
      DeviceTwin twin, TwinState state, UpdateProfile command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    DeviceProfile current = state.registration().profile();
    DeviceProfile change = command.change();
    if (change.isEmpty() || (current != null && current.with(change).equals(current))) {
      return EFFECT.reply(command.replyTo(), info(twin, state));
    }
    return EFFECT
        .persist(new ProfileUpdated(change, command.at()))
        .thenReply(command.replyTo(), after -> info(twin, after));
  }

  static ReplyEffect<TwinEvent, TwinState> onRepublishProfile(
      DeviceTwin twin, TwinState state, RepublishProfile command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    DeviceProfile profile = state.registration().profile();
    if (profile == null || profile.isEmpty()) {
      return EFFECT.reply(command.replyTo(), info(twin, state));
    }
    return EFFECT
        .persist(new ProfileUpdated(profile, command.at()))
        .thenReply(command.replyTo(), after -> info(twin, after));
  }

  static ReplyEffect<TwinEvent, TwinState> onGet(DeviceTwin twin, TwinState state, Get command) {
    return EFFECT.reply(
        command.replyTo(),
        state.isRegistered() ? info(twin, state) : Replies.notFound(twin.device()));
  }

  static ReplyEffect<TwinEvent, TwinState> onUpdate(
      DeviceTwin twin, TwinState state, Update command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    List<TwinEvent> changes = new ArrayList<>(2);
    JsonNode metadata = absentIfNull(command.metadata());
    if (metadata != null && !metadata.equals(state.registration().metadata())) {
      changes.add(new MetadataUpdated(metadata, command.at()));
    }
    if (command.enabled() != null && command.enabled() != state.registration().enabled()) {
      changes.add(new EnabledChanged(command.enabled(), command.at()));
    }
    if (changes.isEmpty()) {
      return EFFECT.reply(command.replyTo(), info(twin, state));
    }
    return EFFECT.persist(changes).thenReply(command.replyTo(), after -> info(twin, after));
  }

  static ReplyEffect<TwinEvent, TwinState> onDelete(
      DeviceTwin twin, TwinState state, Delete command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    return EFFECT
        .persist(new DeviceDeleted(command.at()))
        .thenReply(command.replyTo(), deleted -> new Reply.Done());
  }

  private static Reply.DeviceInfo info(DeviceTwin twin, TwinState state) {
    TwinState.Registration registration = state.registration();
    return new Reply.DeviceInfo(
        twin.device().org(),
        twin.device().type(),
        twin.device().id(),
        registration.metadata(),
        registration.enabled(),
        registration.registeredBy(),
        registration.registeredByType(),
        registration.registeredAt(),
        state.eventCount(),
        state.attributes().values().isEmpty() ? null : state.attributes().values(),
        registration.profile());
  }
}
