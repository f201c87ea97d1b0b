package io.entwine.integration.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Payloads;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The messages a webhook receives of one journal event, in the application stream's shapes: an
 * event as the last-event cache shows it ({@code typeId, deviceId, eventId, format, timestamp,
 * payload} in base64, plus {@code data}, the decoded payload, for {@code json}), a reported-state
 * patch as {@code typeId, deviceId, version, reported, timestamp}. Each also has its {@code kind}
 * and an {@code id} that names it for good (device, journal sequence number, reading index), so a
 * receiver can drop a message delivered twice.
 */
final class WebhookMessages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookMessages() {}

  /** The messages of {@code event} of twin {@code persistenceId} that {@code config} takes. */
  static List<ObjectNode> of(
      WebhookConfig config, String persistenceId, long sequenceNr, TwinEvent event) {
    if (!(event instanceof EventRecorded
        || event instanceof EventsRecorded
        || event instanceof ReportedStatePatched)) {
      return List.of();
    }
    DeviceKey device = DeviceKey.fromEntityId(PersistenceId.extractEntityId(persistenceId));
    WebhookFilter filter = config.filter();
    if (!device.org().equals(config.org()) || !filter.matchesDevice(device.type(), device.id())) {
      return List.of();
    }
    List<ObjectNode> messages = new ArrayList<>();
    if (event instanceof ReportedStatePatched patched) {
      if (filter.acceptsState() && !patched.fromEvents()) {
        ObjectNode message = message(WebhookFilter.STATE, device, sequenceNr, 0);
        message.put("version", patched.version());
        message.set("reported", patched.patch());
        message.put("timestamp", patched.at().toString());
        messages.add(message);
      }
      return messages;
    }
    List<EventRecorded> readings =
        event instanceof EventsRecorded batch ? batch.readings() : List.of((EventRecorded) event);
    for (int index = 0; index < readings.size(); index++) {
      EventRecorded reading = readings.get(index);
      if (filter.matchesEvent(reading.eventId(), reading.format())) {
        messages.add(eventMessage(device, sequenceNr, index, reading));
      }
    }
    return messages;
  }

  private static ObjectNode eventMessage(
      DeviceKey device, long sequenceNr, int index, EventRecorded reading) {
    ObjectNode message = message(WebhookFilter.EVENT, device, sequenceNr, index);
    message.put("eventId", reading.eventId());
    message.put("format", reading.format());
    message.put("timestamp", reading.timestamp().toString());
    message.put("payload", Base64.getEncoder().encodeToString(reading.payload()));
    if (Payloads.JSON.equals(reading.format())) {
      try {
        JsonNode data = JSON.readTree(reading.payload());
        if (data != null) {
          message.set("data", data);
        }
      } catch (IOException e) {
        // a json event is checked when it is recorded; were one unreadable, payload still has it
      }
    }
    return message;
  }

  private static ObjectNode message(String kind, DeviceKey device, long sequenceNr, int index) {
    ObjectNode message = JSON.createObjectNode();
    message.put("kind", kind);
    message.put("id", device.type() + "/" + device.id() + "/" + sequenceNr + "." + index);
    message.put("typeId", device.type());
    message.put("deviceId", device.id());
    return message;
  }
}
