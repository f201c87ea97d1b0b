package io.entwine.twin;

import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.DeviceTwin.Event;
import io.entwine.twin.DeviceTwin.State;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * Who may act for the device besides its IBM token: its Hono and Tencent credentials (a password
 * per auth-id, slow-hashed; client-certificate subject DNs; a PSK, encrypted) and the gateways in
 * its {@code via} list, whose twins learn which devices they act for.
 */
final class CredentialHandling {
  private static final EffectFactories<Event, State> EFFECT = new EffectFactories<>();

  private final DeviceKey device;
  private final VerifiedSecrets secrets;
  private final BiConsumer<DeviceKey, DeviceTwin.Command> tellTwin;

  CredentialHandling(
      DeviceKey device,
      VerifiedSecrets secrets,
      BiConsumer<DeviceKey, DeviceTwin.Command> tellTwin) {
    this.device = device;
    this.secrets = secrets;
    this.tellTwin = tellTwin;
  }

  ReplyEffect<Event, State> onAuthenticateCredential(
      State state, DeviceTwin.AuthenticateCredential command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    var credential = state.credentials().password(command.authId());
    if (credential.isEmpty()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    String secretHash = credential.get().secretHash();
    if (!secrets.accepts(secretHash, command.password(), command.verifiedAgainst())) {
      return EFFECT.reply(command.replyTo(), new Reply.NeedsVerification(secretHash));
    }
    return EFFECT.reply(
        command.replyTo(),
        state.registration().enabled() ? new Reply.Done() : Replies.disabled(device));
  }

  ReplyEffect<Event, State> onAuthenticateCertificate(
      State state, DeviceTwin.AuthenticateCertificate command) {
    if (!state.isRegistered() || state.credentials().certificate(command.subjectDn()).isEmpty()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    return EFFECT.reply(
        command.replyTo(),
        state.registration().enabled() ? new Reply.Done() : Replies.disabled(device));
  }

  ReplyEffect<Event, State> onGetPsk(State state, DeviceTwin.GetPsk command) {
    var psk =
        state.isRegistered()
            ? state.credentials().psk()
            : java.util.Optional.<DeviceCredentials.Credential>empty();
    if (psk.isEmpty()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    // Whether the device is enabled is told only after the signature checked out (the record).
    return EFFECT.reply(command.replyTo(), new Reply.EncryptedPsk(psk.get().encryptedSecret()));
  }

  ReplyEffect<Event, State> onAddCredential(State state, DeviceTwin.AddCredential command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(device));
    }
    return EFFECT
        .persist(
            new DeviceTwin.CredentialAdded(
                command.type(),
                command.authId(),
                command.secretHash(),
                command.encryptedSecret(),
                command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  ReplyEffect<Event, State> onRemoveCredential(State state, DeviceTwin.RemoveCredential command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(device));
    }
    if (state.credentials().find(command.type(), command.authId()).isEmpty()) {
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Rejected(
              Rejection.NOT_FOUND,
              "Device "
                  + device.uuid()
                  + " has no "
                  + command.type()
                  + " credential"
                  + (command.authId() == null ? "" : " '" + command.authId() + "'")));
    }
    return EFFECT
        .persist(new DeviceTwin.CredentialRemoved(command.type(), command.authId(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  ReplyEffect<Event, State> onSetGateways(State state, DeviceTwin.SetGateways command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(device));
    }
    if (state.via().equals(command.via())) {
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    List<DeviceKey> before = state.via();
    return EFFECT
        .persist(new DeviceTwin.GatewaysSet(List.copyOf(command.via()), command.at()))
        .thenRun(after -> tellGateways(before, after.via(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  /** Tells the gateways added and removed, so their own waiting requests ask this twin. */
  private void tellGateways(List<DeviceKey> before, List<DeviceKey> after, Instant at) {
    for (DeviceKey gateway : after) {
      if (!before.contains(gateway)) {
        tellTwin.accept(gateway, new DeviceTwin.ActFor(device, true, at));
      }
    }
    for (DeviceKey gateway : before) {
      if (!after.contains(gateway)) {
        tellTwin.accept(gateway, new DeviceTwin.ActFor(device, false, at));
      }
    }
  }

  ReplyEffect<Event, State> onActFor(State state, DeviceTwin.ActFor command) {
    if (state.actsFor().contains(command.device()) == command.acting()) {
      return EFFECT.noReply();
    }
    return EFFECT
        .persist(new DeviceTwin.ActingForChanged(command.device(), command.acting(), command.at()))
        .thenNoReply();
  }
}
