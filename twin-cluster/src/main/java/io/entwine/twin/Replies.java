package io.entwine.twin;

import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;

/** The twin's refusals, worded the same way by every handler. */
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
}
