package io.entwine.twin;

import static io.entwine.twin.DeviceTwin.EFFECT;

import io.entwine.entity.CommandTable.Handler;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.function.Function;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The twin's refusals, worded the same way by every handler, and the guards that answer them before
 * a handler runs (a handler behind a guard holds only what it does when accepted).
 */
final class Replies {
  private Replies() {}

  static Reply.Rejected notFound(DeviceKey device) {
    return new Reply.Rejected(
        Rejection.NOT_FOUND,
        "Device type '" + device.type() + "' id '" + device.id() + "' is not registered");
  }

  static Reply.Rejected disabled(DeviceKey device) {
    return new Reply.Rejected(Rejection.DISABLED, "Device " + device.uuid() + " is disabled");
  }

  /**
   * Why a message that the edge already authenticated may not reach this device, or null: the
   * device must be registered and enabled, and a gateway ({@code gateway} other than the device)
   * must be listed in the device's {@code via}.
   */
  static Reply refusalOfSender(DeviceKey device, TwinState state, DeviceKey gateway) {
    if (!state.isRegistered()) {
      return notFound(device);
    }
    if (!state.registration().enabled()) {
      return disabled(device);
    }
    if (gateway != null && !gateway.equals(device) && !state.via().contains(gateway)) {
      return new Reply.Rejected(
          Rejection.FORBIDDEN,
          "Gateway '"
              + gateway.id()
              + "' is not authorized to act for device '"
              + device.id()
              + "'");
    }
    return null;
  }

  /**
   * {@code handler} for a message that may reach this device ({@link #refusalOfSender}, with the
   * gateway {@code gatewayOf} names); the refusal otherwise.
   */
  static <T extends TwinCommand> Handler<DeviceTwin, T, TwinEvent, TwinState> senderAccepted(
      Function<T, DeviceKey> gatewayOf, Handler<DeviceTwin, T, TwinEvent, TwinState> handler) {
    return (twin, state, command) ->
        unlessRefused(
            refusalOfSender(twin.device(), state, gatewayOf.apply(command)),
            twin,
            state,
            command,
            handler);
  }

  /** {@code handler} for a device that is registered and enabled; the refusal otherwise. */
  static <T extends TwinCommand> Handler<DeviceTwin, T, TwinEvent, TwinState> deviceEnabled(
      Handler<DeviceTwin, T, TwinEvent, TwinState> handler) {
    return senderAccepted(fromTheDeviceItself -> null, handler);
  }

  /** {@code handler}'s effect when {@code refusal} is null; the refusal's answer otherwise. */
  static <T extends TwinCommand> ReplyEffect<TwinEvent, TwinState> unlessRefused(
      Reply refusal,
      DeviceTwin twin,
      TwinState state,
      T command,
      Handler<DeviceTwin, T, TwinEvent, TwinState> handler) {
    return refusal == null
        ? handler.handle(twin, state, command)
        : EFFECT.reply(command.replyTo(), refusal);
  }
}
