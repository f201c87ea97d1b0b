package io.entwine.integration.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.entwine.streams.StreamFilter;
import io.entwine.streams.StreamKind;
import io.entwine.testing.EventSourcedTestSystem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhook commands, events, states and replies go to the journal or the network as jackson-cbor.
 */
class WebhookSerializationTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00.123Z");
  static final WebhookConfig CONFIG =
      new WebhookConfig(
          "org1",
          "6f1c1f1e-0000-4000-8000-000000000001",
          "https://example.com/hook",
          new StreamFilter("sensor", null, "status", "json", Set.of(StreamKind.EVENT)),
          "aes-gcm$iv$sealed",
          Map.of("Authorization", "aes-gcm$iv$sealed2"));

  @RegisterExtension
  static final EventSourcedTestSystem testSystem =
      new EventSourcedTestSystem("WebhookSerializationTest");

  @Test
  void everyPersistentAndRemoteTypeRoundTrips() {
    ActorRef<WebhookReply> replyTo = testSystem.replyTo();
    WebhookStatus status =
        new WebhookStatus(
            40, 2, true, false, null, 1.5, new WebhookStatus.LastError(AT, "500"), AT);
    List<Object> samples =
        List.of(
            new Webhook.Create(CONFIG, AT, replyTo),
            new Webhook.Update(CONFIG, AT, replyTo),
            new Webhook.Get(replyTo),
            new Webhook.GetStatus(replyTo),
            new Webhook.Delete(AT, replyTo),
            new Webhook.WebhookCreated(CONFIG, AT),
            new Webhook.WebhookUpdated(CONFIG, AT),
            new Webhook.OffsetsAdvanced(Map.of("twin-0", "0d1e5a00-d1b1-11f0-8000-000000000000")),
            new Webhook.WebhookPaused("The receiver answered 503", AT),
            new Webhook.WebhookDeleted(AT),
            new Webhook.State(CONFIG, AT, AT, Map.of("twin-1", "x"), "paused", false),
            WebhookDirectory.TABLE.claim("id-1", 10).apply(replyTo),
            WebhookDirectory.TABLE.lookup().apply(replyTo),
            new WebhookReply.Done(),
            new WebhookReply.Found(CONFIG, AT, AT, null),
            new WebhookReply.Status("id-1", status),
            new WebhookReply.Directory(Set.of("id-1")));
    testSystem.assertRoundTrips(samples);
  }

  /**
   * Webhooks stored before the filter was the streams' {@link StreamFilter} (the filter was a
   * record of its own with kinds as a list of names) read as the same webhook.
   */
  @Test
  void aWebhookStoredWithTheFormerFilterRecordReadsTheSame() throws Exception {
    Webhook.WebhookCreated created = new Webhook.WebhookCreated(CONFIG, AT);
    Serialization serialization = SerializationExtension.get(testSystem.system().classicSystem());
    Serializer serializer = serialization.findSerializerFor(created);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testSystem.system().classicSystem())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    ObjectNode former = cbor.valueToTree(created);
    ((ObjectNode) former.get("config"))
        .set(
            "filter",
            new ObjectMapper()
                .readTree(
                    "{\"typeId\":\"sensor\",\"deviceId\":null,\"eventId\":\"status\","
                        + "\"format\":\"json\",\"kinds\":[\"event\"]}"));
    Object read =
        serialization
            .deserialize(
                cbor.writeValueAsBytes(former),
                serializer.identifier(),
                Serializers.manifestFor(serializer, created))
            .get();
    assertEquals(created, read);
  }
}
