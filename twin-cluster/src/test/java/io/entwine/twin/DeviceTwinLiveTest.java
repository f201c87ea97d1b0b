package io.entwine.twin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a twin tells live subscribers of where it journaled each reading (docs/adr/0061). */
class DeviceTwinLiveTest {
  private static final DeviceKey DEVICE = new DeviceKey("myorg", "sensor", "live-1");
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final TwinSettings SETTINGS =
      new TwinSettings(100, 2, 100, 100, java.time.Duration.ofHours(1));

  @RegisterExtension static final TwinTestSystem system = new TwinTestSystem("DeviceTwinLiveTest");
  private static final ActorTestKit testKit = system.testKit();

  private final List<LiveMessage> published = new CopyOnWriteArrayList<>();

  private EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> verifiedTwin() {
    VerifiedSecrets secrets = new VerifiedSecrets(TwinFixture.HASHER, Runnable::run, 100);
    EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            DeviceTwin.create(
                DEVICE.entityId(), SETTINGS, secrets, published::add, (key, command) -> {}));
    twin.clear();
    String hash = TwinFixture.HASHER.hash(TwinFixture.TOKEN);
    var registered =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.Register(hash, null, null, "a-myorg-key", "apikey", T0, replyTo));
    assertEquals(1, registered.events().size(), "registration is journal event 1");
    secrets.verify(hash, TwinFixture.TOKEN).toCompletableFuture().join();
    return twin;
  }

  @Test
  void eachReadingSaysItsJournalEventIndexAndNumber() {
    var twin = verifiedTwin();
    long before = System.currentTimeMillis();
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.RecordApplicationEvent(
                "a-myorg-key",
                new TwinCommand.EventPart("a", "json", utf8("{}"), T0, T0, 1),
                replyTo));
    List<TwinCommand.EventPart> parts = new ArrayList<>();
    for (int i = 0; i < DeviceTwin.READINGS_PER_EVENT + 2; i++) {
      parts.add(new TwinCommand.EventPart("b", "text", utf8("" + i), T0, T0, 1));
    }
    var batch =
        twin.<Reply>runCommand(
            replyTo -> new TwinCommand.RecordEvents(TwinFixture.TOKEN, null, parts, replyTo));
    assertEquals(new Reply.Done(), batch.reply());

    List<LiveMessage.Journaled> journaled =
        published.stream()
            .map(m -> ((LiveMessage.DeviceEvent) m).journaled())
            .peek(j -> assertNotNull(j, "every reading says where it was journaled"))
            .toList();
    assertEquals(1 + parts.size(), journaled.size());
    // registration is sequence number 1, the single reading 2, the batch 3 and 4
    assertEquals(
        new LiveMessage.Journaled(2, 0, 1, journaled.get(0).writtenAt()), journaled.get(0));
    assertEquals(3, journaled.get(1).sequenceNr());
    assertEquals(0, journaled.get(1).reading());
    assertEquals(2, journaled.get(1).readingNumber());
    LiveMessage.Journaled last = journaled.get(journaled.size() - 1);
    assertEquals(4, last.sequenceNr(), "the batch needed a second journal event");
    assertEquals(1, last.reading(), "the last reading is the second of that event");
    assertEquals(1 + parts.size(), last.readingNumber());
    for (int i = 1; i < journaled.size(); i++) {
      assertEquals(
          journaled.get(i - 1).readingNumber() + 1,
          journaled.get(i).readingNumber(),
          "reading numbers follow each other");
    }
    assertEquals(2, batch.events().size(), "the batch is journal events 3 and 4");
    assertEquals(1 + parts.size(), twin.restart().state().eventCount());
    assertTrue(journaled.get(0).writtenAt() >= before, "written by the twin's clock");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }
}
