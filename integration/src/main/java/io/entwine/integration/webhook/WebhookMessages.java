package io.entwine.integration.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.streams.StreamMessage;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The messages a webhook receives of one journal event: the application stream's messages ({@link
 * StreamMessage}, the SSE {@code data:} documents) of its readings or of a reported-state patch a
 * device sent, each with its {@code kind} and an {@code id} that names it for good (device, journal
 * sequence number, reading index), so a receiver can drop a message delivered twice.
 */
final class WebhookMessages {
  private WebhookMessages() {}

  /** The messages of {@code event} of twin {@code persistenceId} that {@code config} takes. */
  static List<ObjectNode> of(
      WebhookConfig config, String persistenceId, long sequenceNr, TwinEvent event) {
    DeviceKey device = DeviceKey.fromEntityId(PersistenceId.extractEntityId(persistenceId));
    if (!device.org().equals(config.org())) {
      return List.of();
    }
    List<StreamMessage> messages = new ArrayList<>();
    if (event instanceof ReportedStatePatched patched && !patched.fromEvents()) {
      messages.add(StreamMessage.reportedPatch(device, patched));
    } else if (event instanceof EventRecorded reading) {
      messages.add(StreamMessage.event(device, reading));
    } else if (event instanceof EventsRecorded batch) {
      batch.readings().forEach(reading -> messages.add(StreamMessage.event(device, reading)));
    }
    List<ObjectNode> bodies = new ArrayList<>();
    for (int index = 0; index < messages.size(); index++) {
      StreamMessage message = messages.get(index);
      if (message.passes(config.filter())) {
        ObjectNode body = message.data().objectNode();
        body.put("kind", message.kind().wireName());
        body.put("id", device.type() + "/" + device.id() + "/" + sequenceNr + "." + index);
        bodies.add(body.setAll(message.data()));
      }
    }
    return bodies;
  }
}
