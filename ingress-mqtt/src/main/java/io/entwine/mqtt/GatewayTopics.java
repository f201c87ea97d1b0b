package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;

/**
 * The topics of an IBM gateway client {@code g:ORG:TYPE:ID} (Watson IoT Platform documentation,
 * Gateways; IBM's gateway client libraries): it publishes events as {@code
 * iot-2/type/{type}/id/{id}/evt/{event}/fmt/{format}} for itself (its own type and id) and for the
 * devices it acts for — its own also as a device does, {@code iot-2/evt/{event}/fmt/{format}} — and
 * subscribes to commands as {@code iot-2/type/{type|+}/id/{id|+}/cmd/{command|+}/fmt/{format|+}}.
 * Which devices it acts for is its twins' decision (docs/adr/0057), not the topic's. Pure functions
 * over {@link Topics}' parsing.
 */
final class GatewayTopics {
  /** Where the platform's device management requests for a gateway's devices are published. */
  private static final String MANAGEMENT_ROOT = "iotdm-1/type/";

  private GatewayTopics() {}

  /**
   * {@code iot-2/type/{type}/id/{id}/notify} of the gateway itself (see {@link GatewayNotices}).
   */
  record NotifyFilter() implements Topics.Filter {}

  /** A gateway's command filter: its own commands and those of the devices it acts for. */
  record CommandFilter(String type, String id, String command, String format)
      implements Topics.Filter {}

  /**
   * What a gateway's PUBLISH to {@code topic} is: {@link Topics.DeviceEvent} for its own event,
   * {@link Topics.EventOnBehalf} for another device's, or why it may not publish there.
   */
  static Topics.Publication publication(DeviceKey gateway, String topic) {
    Topics.Publication own = Topics.devicePublication(topic);
    if (own instanceof Topics.DeviceEvent) {
      return own;
    }
    Topics.Publication parsed = Topics.applicationPublication(topic);
    if (parsed instanceof Topics.EventOnBehalf event) {
      return event.type().equals(gateway.type()) && event.id().equals(gateway.id())
          ? new Topics.DeviceEvent(event.event(), event.format())
          : event;
    }
    if (parsed instanceof Topics.Invalid invalid
        && !invalid.reason().startsWith("an application")) {
      return invalid;
    }
    return new Topics.Invalid(
        "a gateway publishes only to iot-2/type/{type}/id/{id}/evt/{event}/fmt/{format}");
  }

  /** The command or notification filter {@code gateway} may subscribe to, or why not. */
  static Topics.Filter subscription(DeviceKey gateway, String filter) {
    if (filter.equals(notifyTopic(gateway))) {
      return new NotifyFilter();
    }
    if (filter.startsWith(MANAGEMENT_ROOT) || filter.equals("iotdm-1/#")) {
      return new Topics.ManagementFilter(filter); // its own and its devices' requests
    }
    Topics.Filter parsed = Topics.applicationSubscription(filter);
    if (parsed instanceof Topics.DeviceCommandFilter f) {
      return new CommandFilter(f.type(), f.id(), f.command(), f.format());
    }
    if (parsed instanceof Topics.Invalid invalid
        && !invalid.reason().startsWith("an application")) {
      return invalid;
    }
    return new Topics.Invalid(
        "a gateway subscribes only to iot-2/type/{type}/id/{id}/cmd/{command}/fmt/{format},"
            + " iotdm-1/type/{type}/id/{id}/… and its own iot-2/type/{type}/id/{id}/notify");
  }

  /** True when {@code filter} selects command {@code command}/{@code format} of {@code device}. */
  static boolean selects(Topics.Filter filter, DeviceKey device, String command, String format) {
    return filter instanceof CommandFilter f
        && Topics.matches(f.type(), device.type())
        && Topics.matches(f.id(), device.id())
        && Topics.matches(f.command(), command)
        && Topics.matches(f.format(), format);
  }

  /** Where {@code gateway} receives its notifications. */
  static String notifyTopic(DeviceKey gateway) {
    return "iot-2/type/" + gateway.type() + "/id/" + gateway.id() + "/notify";
  }

  /**
   * The topic a gateway receives {@code topic} ({@code iotdm-1/…}, a platform request or response)
   * of {@code device} on: {@code iotdm-1/type/{type}/id/{id}/…} (Watson IoT Platform documentation,
   * MQTT connectivity for gateways, "Managed gateways").
   */
  static String managementTopic(DeviceKey device, String topic) {
    return MANAGEMENT_ROOT
        + device.type()
        + "/id/"
        + device.id()
        + topic.substring("iotdm-1".length());
  }

  /** The topic a gateway receives command {@code command} of {@code device} on. */
  static String commandTopic(DeviceKey device, String command, String format) {
    return "iot-2/type/"
        + device.type()
        + "/id/"
        + device.id()
        + "/cmd/"
        + command
        + "/fmt/"
        + format;
  }
}
