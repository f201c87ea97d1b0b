package io.entwine.twin;

import static io.entwine.twin.DeviceTwin.EFFECT;

import io.entwine.entity.CommandTable.Handler;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand.ActFor;
import io.entwine.twin.TwinCommand.AddCredential;
import io.entwine.twin.TwinCommand.Authenticate;
import io.entwine.twin.TwinCommand.AuthenticateCertificate;
import io.entwine.twin.TwinCommand.AuthenticateCredential;
import io.entwine.twin.TwinCommand.ChangeGateway;
import io.entwine.twin.TwinCommand.DeviceToken;
import io.entwine.twin.TwinCommand.GetGatewayLinks;
import io.entwine.twin.TwinCommand.GetPsk;
import io.entwine.twin.TwinCommand.ListCredentials;
import io.entwine.twin.TwinCommand.RemoveCredential;
import io.entwine.twin.TwinCommand.SetGateways;
import io.entwine.twin.TwinEvent.ActingForChanged;
import io.entwine.twin.TwinEvent.CredentialAdded;
import io.entwine.twin.TwinEvent.CredentialRemoved;
import io.entwine.twin.TwinEvent.GatewaysSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * Who may act for the device: its IBM token, its Hono and Tencent credentials (a password per
 * auth-id, slow-hashed; client-certificate subject DNs; a PSK, encrypted) and the gateways in its
 * {@code via} list, whose twins learn which devices they act for.
 */
final class CredentialHandlers {
  private CredentialHandlers() {}

  /** Checks the token only (an MQTT CONNECT): behind {@link #tokenAccepted}, nothing is left. */
  static ReplyEffect<TwinEvent, TwinState> onAuthenticate(
      DeviceTwin twin, TwinState state, Authenticate command) {
    return EFFECT.reply(command.replyTo(), new Reply.Done());
  }

  /** {@code handler} for a device whose token is accepted; the refusal otherwise. */
  static <T extends TwinCommand & DeviceToken>
      Handler<DeviceTwin, T, TwinEvent, TwinState> tokenAccepted(
          Handler<DeviceTwin, T, TwinEvent, TwinState> handler) {
    return (twin, state, command) ->
        Replies.unlessRefused(
            refusalOfToken(twin, state, command.token(), command.verifiedAgainst()),
            twin,
            state,
            command,
            handler);
  }

  /** Why a device presenting {@code token} may not act, or null when it may. */
  private static Reply refusalOfToken(
      DeviceTwin twin, TwinState state, String token, String verifiedAgainst) {
    if (!state.isRegistered()) {
      // The same answer as a wrong token, so that devices cannot be enumerated.
      return Reply.Rejected.unauthorized();
    }
    String secretHash = state.registration().secretHash();
    if (!twin.secrets().accepts(secretHash, token, verifiedAgainst)) {
      return new Reply.NeedsVerification(secretHash);
    }
    return state.registration().enabled() ? null : Replies.disabled(twin.device());
  }

  /** The sender was accepted ({@link Replies#senderAccepted}): nothing else to check. */
  static ReplyEffect<TwinEvent, TwinState> onCheckSender(
      DeviceTwin twin, TwinState state, TwinCommand.CheckSender command) {
    return EFFECT.reply(command.replyTo(), new Reply.Done());
  }

  static ReplyEffect<TwinEvent, TwinState> onListCredentials(
      DeviceTwin twin, TwinState state, ListCredentials command) {
    return EFFECT.reply(
        command.replyTo(),
        state.isRegistered() ? state.credentials().list() : Replies.notFound(twin.device()));
  }

  static ReplyEffect<TwinEvent, TwinState> onAuthenticateCredential(
      DeviceTwin twin, TwinState state, AuthenticateCredential command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    var credential = state.credentials().password(command.authId());
    if (credential.isEmpty()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    String secretHash = credential.get().secretHash();
    if (!twin.secrets().accepts(secretHash, command.password(), command.verifiedAgainst())) {
      return EFFECT.reply(command.replyTo(), new Reply.NeedsVerification(secretHash));
    }
    return EFFECT.reply(
        command.replyTo(),
        state.registration().enabled() ? new Reply.Done() : Replies.disabled(twin.device()));
  }

  static ReplyEffect<TwinEvent, TwinState> onAuthenticateCertificate(
      DeviceTwin twin, TwinState state, AuthenticateCertificate command) {
    if (!state.isRegistered() || state.credentials().certificate(command.subjectDn()).isEmpty()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    return EFFECT.reply(
        command.replyTo(),
        state.registration().enabled() ? new Reply.Done() : Replies.disabled(twin.device()));
  }

  static ReplyEffect<TwinEvent, TwinState> onGetPsk(
      DeviceTwin twin, TwinState state, GetPsk command) {
    var psk =
        state.isRegistered()
            ? state.credentials().psk()
            : Optional.<DeviceCredentials.Credential>empty();
    if (psk.isEmpty()) {
      return EFFECT.reply(command.replyTo(), Reply.Rejected.unauthorized());
    }
    // Whether the device is enabled is told only after the signature checked out (the record).
    return EFFECT.reply(command.replyTo(), new Reply.EncryptedPsk(psk.get().encryptedSecret()));
  }

  static ReplyEffect<TwinEvent, TwinState> onAddCredential(
      DeviceTwin twin, TwinState state, AddCredential command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    return EFFECT
        .persist(
            new CredentialAdded(
                command.type(),
                command.authId(),
                command.secretHash(),
                command.encryptedSecret(),
                command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  static ReplyEffect<TwinEvent, TwinState> onRemoveCredential(
      DeviceTwin twin, TwinState state, RemoveCredential command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    if (state.credentials().find(command.type(), command.authId()).isEmpty()) {
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Rejected(
              Rejection.NOT_FOUND,
              "Device "
                  + twin.device().uuid()
                  + " has no "
                  + command.type()
                  + " credential"
                  + (command.authId() == null ? "" : " '" + command.authId() + "'")));
    }
    return EFFECT
        .persist(new CredentialRemoved(command.type(), command.authId(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  static ReplyEffect<TwinEvent, TwinState> onSetGateways(
      DeviceTwin twin, TwinState state, SetGateways command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    if (state.via().equals(command.via())) {
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    List<DeviceKey> before = state.via();
    return EFFECT
        .persist(new GatewaysSet(List.copyOf(command.via()), command.at()))
        .thenRun(after -> tellGateways(twin, before, after.via(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  /** The device joins or leaves {@code gateway}'s resource group: its {@code via} ± the gateway. */
  static ReplyEffect<TwinEvent, TwinState> onChangeGateway(
      DeviceTwin twin, TwinState state, ChangeGateway command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    List<DeviceKey> via = new ArrayList<>(state.via());
    boolean changed =
        command.joined() ? addAbsent(via, command.gateway()) : via.remove(command.gateway());
    if (!changed) {
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    List<DeviceKey> before = state.via();
    return EFFECT
        .persist(new GatewaysSet(List.copyOf(via), command.at()))
        .thenRun(after -> tellGateways(twin, before, after.via(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private static boolean addAbsent(List<DeviceKey> via, DeviceKey gateway) {
    return !via.contains(gateway) && via.add(gateway);
  }

  static ReplyEffect<TwinEvent, TwinState> onGetGatewayLinks(
      DeviceTwin twin, TwinState state, GetGatewayLinks command) {
    return EFFECT.reply(
        command.replyTo(),
        state.isRegistered()
            ? new Reply.GatewayLinks(state.via(), state.actsFor())
            : Replies.notFound(twin.device()));
  }

  /** Tells the gateways added and removed, so their own waiting requests ask this twin. */
  private static void tellGateways(
      DeviceTwin twin, List<DeviceKey> before, List<DeviceKey> after, Instant at) {
    for (DeviceKey gateway : after) {
      if (!before.contains(gateway)) {
        twin.tell(gateway, new ActFor(twin.device(), true, at));
      }
    }
    for (DeviceKey gateway : before) {
      if (!after.contains(gateway)) {
        twin.tell(gateway, new ActFor(twin.device(), false, at));
      }
    }
  }

  static ReplyEffect<TwinEvent, TwinState> onActFor(
      DeviceTwin twin, TwinState state, ActFor command) {
    if (state.actsFor().contains(command.device()) == command.acting()) {
      return EFFECT.noReply();
    }
    return EFFECT
        .persist(new ActingForChanged(command.device(), command.acting(), command.at()))
        .thenNoReply();
  }
}
