package io.entwine.mqtt;

import io.entwine.identity.Ids;
import io.entwine.live.LiveMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The IBM IoT Foundation topic space (IBM IoT Foundation MQTT documentation, Devices and
 * Applications): which topics a device or an application may publish to, and which filters each may
 * subscribe to. Pure functions; every identifier is checked with the rules of {@link Ids}. In a
 * filter, {@link #ANY} ({@code +}) may stand for a whole identifier; {@code #} is never accepted.
 *
 * <p>(Just over 400 lines as one responsibility: the whole IBM topic grammar for devices and
 * applications in one place, so a topic is accepted or refused by one set of rules; gateways' and
 * device management's topics have classes of their own.)
 */
public final class Topics {
  public static final String ANY = "+";

  private static final String ROOT = "iot-2";
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Where the platform's device management requests reach a managed device. */
  private static final String MANAGEMENT_ROOT = "iotdm-1";

  /** A device's reported-state patches; none of IBM's topics has a {@code state} segment. */
  public static final String REPORTED_STATE = ROOT + "/state/reported";

  /** Where a device receives its state delta. */
  public static final String STATE_DELTA = ROOT + "/state/delta";

  /** Where a device learns why its reported-state patch was refused. */
  public static final String STATE_REJECTED = ROOT + "/state/rejected";

  private Topics() {}

  /** What a PUBLISH topic addresses, or why it may not be published to. */
  public sealed interface Publication
      permits DeviceEvent, EventOnBehalf, CommandTo, ReportedState, DesiredStateTo, Invalid {}

  /** A subscription filter that is allowed, or why it is not. */
  public sealed interface Filter
      permits CommandFilter,
          DeviceEventFilter,
          DeviceCommandFilter,
          DeviceStatusFilter,
          AppStatusFilter,
          StateDeltaFilter,
          DeviceStateFilter,
          StateRejectedFilter,
          GatewayTopics.CommandFilter,
          GatewayTopics.NotifyFilter,
          ManagementFilter,
          Invalid {}

  /** {@code iot-2/evt/{event}/fmt/{format}}, published by the device itself. */
  public record DeviceEvent(String event, String format) implements Publication {}

  /** {@code iot-2/type/{type}/id/{id}/evt/{event}/fmt/{format}}, published by an application. */
  public record EventOnBehalf(String type, String id, String event, String format)
      implements Publication {}

  /** {@code iot-2/type/{type}/id/{id}/cmd/{command}/fmt/{format}}, published by an application. */
  public record CommandTo(String type, String id, String command, String format)
      implements Publication {}

  /** {@code iot-2/state/reported}: a merge patch of the device's own reported state. */
  public record ReportedState() implements Publication {}

  /**
   * {@code iot-2/type/{type}/id/{id}/state/desired}: an application's merge patch of a device's
   * desired state, {@code {"desired": {...}, "version": N}} (version optional).
   */
  public record DesiredStateTo(String type, String id) implements Publication {}

  /** A device's own commands: {@code iot-2/cmd/{command|+}/fmt/{format|+}}. */
  public record CommandFilter(String command, String format) implements Filter {}

  /** {@code iot-2/type/{type|+}/id/{id|+}/evt/{event|+}/fmt/{format|+}} (applications). */
  public record DeviceEventFilter(String type, String id, String event, String format)
      implements Filter {}

  /** {@code iot-2/type/{type|+}/id/{id|+}/cmd/{command|+}/fmt/{format|+}} (applications). */
  public record DeviceCommandFilter(String type, String id, String command, String format)
      implements Filter {}

  /** {@code iot-2/type/{type|+}/id/{id|+}/mon} (applications). */
  public record DeviceStatusFilter(String type, String id) implements Filter {}

  /** {@code iot-2/app/{appId|+}/mon} (applications). */
  public record AppStatusFilter(String appId) implements Filter {}

  /** {@code iot-2/state/delta}: the device's own state delta. */
  public record StateDeltaFilter() implements Filter {}

  /** {@code iot-2/type/{type|+}/id/{id|+}/state}: devices' state changes (applications). */
  public record DeviceStateFilter(String type, String id) implements Filter {}

  /**
   * Why the client's own state writes were refused: {@code iot-2/state/rejected} (a device: type
   * and id null), {@code iot-2/type/{type|+}/id/{id|+}/state/rejected} (an application).
   */
  public record StateRejectedFilter(String type, String id) implements Filter {}

  /**
   * A managed device's platform requests and responses, {@code iotdm-1/#} or a narrower filter
   * under {@code iotdm-1/} (IBM Watson IoT Platform documentation, Device management protocol).
   */
  public record ManagementFilter(String filter) implements Filter {}

  public record Invalid(String reason) implements Publication, Filter {}

  /** True when filter segment {@code pattern} ({@link #ANY} or a literal) matches {@code value}. */
  public static boolean matches(String pattern, String value) {
    return ANY.equals(pattern) || pattern.equals(value);
  }

  /** The application id rule (IBM's documentation imposes none; it must fit one topic segment). */
  public static boolean isAppId(String value) {
    return value != null && APP_ID.matcher(value).matches();
  }

  // ---- publishing ----

  /** A device may publish only its own events. */
  public static Publication devicePublication(String topic) {
    String[] s = split(topic);
    if (s.length == 5 && ROOT.equals(s[0]) && "evt".equals(s[1]) && "fmt".equals(s[3])) {
      return firstError(event(s[2], false), format(s[4], false))
          .<Publication>map(Invalid::new)
          .orElseGet(() -> new DeviceEvent(s[2], s[4]));
    }
    if (REPORTED_STATE.equals(topic)) {
      return new ReportedState();
    }
    return new Invalid(
        "a device publishes only to iot-2/evt/{event}/fmt/{format} or " + REPORTED_STATE);
  }

  /** An application may publish events and commands of any device of its organization. */
  public static Publication applicationPublication(String topic) {
    String[] s = split(topic);
    if (s.length == 9 && isDeviceTopic(s) && "fmt".equals(s[7])) {
      boolean isEvent = "evt".equals(s[5]);
      if (isEvent || "cmd".equals(s[5])) {
        Optional<String> error =
            firstError(
                device(s[2], s[4], false),
                isEvent ? event(s[6], false) : command(s[6], false),
                format(s[8], false));
        if (error.isPresent()) {
          return new Invalid(error.get());
        }
        return isEvent
            ? new EventOnBehalf(s[2], s[4], s[6], s[8])
            : new CommandTo(s[2], s[4], s[6], s[8]);
      }
    }
    if (s.length == 7 && isDeviceTopic(s) && "state".equals(s[5]) && "desired".equals(s[6])) {
      return device(s[2], s[4], false)
          .<Publication>map(Invalid::new)
          .orElseGet(() -> new DesiredStateTo(s[2], s[4]));
    }
    return new Invalid(
        "an application publishes only to iot-2/type/{type}/id/{id}/evt/{event}/fmt/{format},"
            + " iot-2/type/{type}/id/{id}/cmd/{command}/fmt/{format}"
            + " or iot-2/type/{type}/id/{id}/state/desired");
  }

  // ---- subscribing ----

  /** A device may subscribe only to its own commands. */
  public static Filter deviceSubscription(String filter) {
    String[] s = split(filter);
    if (s.length == 5 && ROOT.equals(s[0]) && "cmd".equals(s[1]) && "fmt".equals(s[3])) {
      return firstError(command(s[2], true), format(s[4], true))
          .<Filter>map(Invalid::new)
          .orElseGet(() -> new CommandFilter(s[2], s[4]));
    }
    if (STATE_DELTA.equals(filter)) {
      return new StateDeltaFilter();
    }
    if (STATE_REJECTED.equals(filter)) {
      return new StateRejectedFilter(null, null);
    }
    if (filter.startsWith(MANAGEMENT_ROOT + "/")) {
      return new ManagementFilter(filter);
    }
    return new Invalid(
        "a device subscribes only to iot-2/cmd/{command}/fmt/{format}, iotdm-1/#, "
            + STATE_DELTA
            + " or "
            + STATE_REJECTED);
  }

  /** An application may subscribe to events, commands and status of its organization. */
  public static Filter applicationSubscription(String filter) {
    String[] s = split(filter);
    if (s.length == 9 && isDeviceTopic(s) && "fmt".equals(s[7])) {
      boolean isEvent = "evt".equals(s[5]);
      if (isEvent || "cmd".equals(s[5])) {
        Optional<String> error =
            firstError(
                device(s[2], s[4], true),
                isEvent ? event(s[6], true) : command(s[6], true),
                format(s[8], true));
        if (error.isPresent()) {
          return new Invalid(error.get());
        }
        return isEvent
            ? new DeviceEventFilter(s[2], s[4], s[6], s[8])
            : new DeviceCommandFilter(s[2], s[4], s[6], s[8]);
      }
    }
    if (s.length == 6 && isDeviceTopic(s) && "mon".equals(s[5])) {
      return device(s[2], s[4], true)
          .<Filter>map(Invalid::new)
          .orElseGet(() -> new DeviceStatusFilter(s[2], s[4]));
    }
    if (s.length == 6 && isDeviceTopic(s) && "state".equals(s[5])) {
      return device(s[2], s[4], true)
          .<Filter>map(Invalid::new)
          .orElseGet(() -> new DeviceStateFilter(s[2], s[4]));
    }
    if (s.length == 7 && isDeviceTopic(s) && "state".equals(s[5]) && "rejected".equals(s[6])) {
      return device(s[2], s[4], true)
          .<Filter>map(Invalid::new)
          .orElseGet(() -> new StateRejectedFilter(s[2], s[4]));
    }
    if (s.length == 4 && ROOT.equals(s[0]) && "app".equals(s[1]) && "mon".equals(s[3])) {
      return ANY.equals(s[2]) || isAppId(s[2])
          ? new AppStatusFilter(s[2])
          : new Invalid("Invalid application id '" + s[2] + "'");
    }
    return new Invalid(
        "an application subscribes only to iot-2/type/{type}/id/{id}/evt/{event}/fmt/{format},"
            + " .../cmd/{command}/fmt/{format}, iot-2/type/{type}/id/{id}/mon,"
            + " iot-2/type/{type}/id/{id}/state, iot-2/type/{type}/id/{id}/state/rejected"
            + " or iot-2/app/{appId}/mon");
  }

  // ---- delivering ----

  /** The topic a device receives command {@code command} in format {@code format} on. */
  public static String commandTopic(String command, String format) {
    return ROOT + "/cmd/" + command + "/fmt/" + format;
  }

  /**
   * The topic an application receives a live message on (IBM IoT Foundation MQTT documentation,
   * Applications: subscribing to device events, commands, device status and application status).
   */
  public static String topicOf(LiveMessage message) {
    if (message instanceof LiveMessage.DeviceEvent e) {
      return deviceTopic(e.type(), e.id()) + "/evt/" + e.eventId() + "/fmt/" + e.format();
    } else if (message instanceof LiveMessage.DeviceCommand c) {
      return deviceTopic(c.type(), c.id()) + "/cmd/" + c.command() + "/fmt/" + c.format();
    } else if (message instanceof LiveMessage.DeviceStatus s) {
      return deviceTopic(s.type(), s.id()) + "/mon";
    } else if (message instanceof LiveMessage.DeviceStateChanged c) {
      return deviceTopic(c.type(), c.id()) + "/state";
    }
    return ROOT + "/app/" + ((LiveMessage.ApplicationStatus) message).appId() + "/mon";
  }

  /** The payload an application receives for a live message. */
  public static byte[] payloadOf(LiveMessage message) {
    if (message instanceof LiveMessage.DeviceEvent e) {
      return e.payload();
    } else if (message instanceof LiveMessage.DeviceCommand c) {
      return c.payload();
    } else if (message instanceof LiveMessage.DeviceStatus s) {
      return s.payload();
    } else if (message instanceof LiveMessage.DeviceStateChanged c) {
      return StatePayloads.changed(c);
    }
    return ((LiveMessage.ApplicationStatus) message).payload();
  }

  /**
   * The QoS {@code message} goes out with through a subscription granted {@code granted}: for
   * device events the lower of the two (MQTT 3.1.1 section 3.8.4), for the rest (commands, status)
   * the granted one.
   */
  public static MqttQoS deliveryQos(LiveMessage message, MqttQoS granted) {
    if (message instanceof LiveMessage.DeviceEvent e && e.qos() < granted.value()) {
      return MqttQoS.valueOf(e.qos());
    }
    return granted;
  }

  /** True when an application's {@code filter} selects {@code message} (same organization). */
  public static boolean matches(Filter filter, LiveMessage message) {
    if (filter instanceof DeviceEventFilter f && message instanceof LiveMessage.DeviceEvent e) {
      return matches(f.type(), e.type())
          && matches(f.id(), e.id())
          && matches(f.event(), e.eventId())
          && matches(f.format(), e.format());
    } else if (filter instanceof DeviceCommandFilter f
        && message instanceof LiveMessage.DeviceCommand c) {
      return matches(f.type(), c.type())
          && matches(f.id(), c.id())
          && matches(f.command(), c.command())
          && matches(f.format(), c.format());
    } else if (filter instanceof DeviceStatusFilter f
        && message instanceof LiveMessage.DeviceStatus s) {
      return matches(f.type(), s.type()) && matches(f.id(), s.id());
    } else if (filter instanceof AppStatusFilter f
        && message instanceof LiveMessage.ApplicationStatus a) {
      return matches(f.appId(), a.appId());
    } else if (filter instanceof DeviceStateFilter f
        && message instanceof LiveMessage.DeviceStateChanged c) {
      return matches(f.type(), c.type()) && matches(f.id(), c.id());
    }
    return false;
  }

  /** True when a device's command {@code filter} selects command {@code command}/{@code format}. */
  public static boolean matches(Filter filter, String command, String format) {
    return filter instanceof CommandFilter f
        && matches(f.command(), command)
        && matches(f.format(), format);
  }

  /**
   * Where the client learns why its state write for {@code device} was refused: the device's own
   * topic, or an application's per device.
   */
  public static String stateRejectedTopic(boolean toDevice, String type, String id) {
    return toDevice ? STATE_REJECTED : deviceTopic(type, id) + "/state/rejected";
  }

  /** True when a device's management {@code filter} selects {@code topic} (MQTT wildcards). */
  public static boolean matchesManagement(Filter filter, String topic) {
    if (!(filter instanceof ManagementFilter f)) {
      return false;
    }
    String[] want = split(f.filter());
    String[] have = split(topic);
    for (int i = 0; i < want.length; i++) {
      if ("#".equals(want[i])) {
        return true;
      }
      if (i >= have.length || !(ANY.equals(want[i]) || want[i].equals(have[i]))) {
        return false;
      }
    }
    return want.length == have.length;
  }

  /** True when {@code filter} selects a state rejection for device {@code type}/{@code id}. */
  public static boolean matchesRejection(Filter filter, String type, String id) {
    return filter instanceof StateRejectedFilter f
        && (f.type() == null || (matches(f.type(), type) && matches(f.id(), id)));
  }

  private static String deviceTopic(String type, String id) {
    return ROOT + "/type/" + type + "/id/" + id;
  }

  // ---- segments ----

  private static String[] split(String topic) {
    // -1 keeps empty segments ("iot-2/evt//fmt/json" has an empty event id, not four segments)
    return topic == null ? new String[0] : topic.split("/", -1);
  }

  private static boolean isDeviceTopic(String[] s) {
    return ROOT.equals(s[0]) && "type".equals(s[1]) && "id".equals(s[3]);
  }

  private static Optional<String> device(String type, String id, boolean wildcard) {
    Optional<String> typeError =
        wildcard && ANY.equals(type) ? Optional.empty() : Ids.checkDevicePart("device type", type);
    return typeError.or(
        () -> wildcard && ANY.equals(id) ? Optional.empty() : Ids.checkDevicePart("device id", id));
  }

  private static Optional<String> event(String event, boolean wildcard) {
    return wildcard && ANY.equals(event) ? Optional.empty() : Ids.checkEventId(event);
  }

  private static Optional<String> command(String command, boolean wildcard) {
    if (wildcard && ANY.equals(command)) {
      return Optional.empty();
    }
    return Ids.checkEventId(command).map(m -> m.replaceFirst("event id", "command id"));
  }

  private static Optional<String> format(String format, boolean wildcard) {
    if (wildcard && ANY.equals(format)) {
      return Optional.empty();
    }
    return Ids.checkEventId(format).map(m -> m.replaceFirst("event id", "format"));
  }

  @SafeVarargs
  private static Optional<String> firstError(Optional<String>... checks) {
    for (Optional<String> check : checks) {
      if (check.isPresent()) {
        return check;
      }
    }
    return Optional.empty();
  }
}
