package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.identity.DeviceKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Journals and snapshots written while the twin's events and state were nested in DeviceTwin stay
 * readable: the bytes below were written by that code (pekko-serialization-jackson, CBOR) and are
 * read under the manifests it wrote.
 */
class TwinJournalMigrationTest {
  private static final int JACKSON_CBOR = 33;
  private static final String OLD = "io.entwine.twin.DeviceTwin$";
  private static final Instant AT = Instant.parse("2024-05-01T10:00:00.123456789Z");
  private static final byte[] PAYLOAD = {0, 1, 2, (byte) 0xff, '{', '}'};
  private static final DeviceKey GATEWAY = new DeviceKey("org", "gateway", "gw-1");

  /** io.entwine.twin.DeviceTwin$DeviceRegistered, as the code before ADR 0044 wrote it. */
  private static final String DEVICE_REGISTERED =
      "v2Nvcmdjb3JnZHR5cGVmc2Vuc29yYmlkZWRldi0xanNlY3JldEhhc2hkaGFzaGhtZXRhZGF0YaFo"
          + "bG9jYXRpb25maGFsbCAxbHJlZ2lzdGVyZWRCeWlhLW9yZy1rZXlwcmVnaXN0ZXJlZEJ5VHlwZWNh"
          + "cHBiYXTEgigbF8tVDZ5ODRX/";

  /** io.entwine.twin.DeviceTwin$EventRecorded, as the code before ADR 0044 wrote it. */
  private static final String EVENT_RECORDED =
      "v2dldmVudElkZHRlbXBmZm9ybWF0ZGpzb25ncGF5bG9hZEYAAQL/e31pdGltZXN0YW1wxIIoGxfL"
          + "VQ2eTg0VanJlY2VpdmVkQXTEgigbF8tVDdno1xX/";

  /** io.entwine.twin.DeviceTwin$EventsRecorded, as the code before ADR 0044 wrote it. */
  private static final String EVENTS_RECORDED =
      "v2hyZWFkaW5nc4K/Z2V2ZW50SWRkdGVtcGZmb3JtYXRkanNvbmdwYXlsb2FkRgABAv97fWl0aW1l"
          + "c3RhbXDEgigbF8tVDZ5ODRVqcmVjZWl2ZWRBdMSCKBsXy1UNnk4NFf+/Z2V2ZW50SWRjaHVtZmZv"
          + "cm1hdGNiaW5ncGF5bG9hZEYAAQL/e31pdGltZXN0YW1wxIIoGxfLVQ2eTg0VanJlY2VpdmVkQXTE"
          + "gigbF8tVDZ5ODRX//w==";

  /** io.entwine.twin.DeviceTwin$CommandDelivered, as the code before ADR 0044 wrote it. */
  private static final String COMMAND_DELIVERED =
      "v2ljb21tYW5kSWRjYy0xYmF0xIIoGxfLVQ2eTg0VaHJlY2VpdmVyv2Nvcmdjb3JnZHR5cGVnZ2F0"
          + "ZXdheWJpZGRndy0x//8=";

  /** io.entwine.twin.DeviceTwin$State, as the code before ADR 0044 wrote it. */
  private static final String STATE =
      "v2xyZWdpc3RyYXRpb26/anNlY3JldEhhc2hkaGFzaGhtZXRhZGF0YaFobG9jYXRpb25maGFsbCAx"
          + "Z2VuYWJsZWT1bHJlZ2lzdGVyZWRCeWlhLW9yZy1rZXlwcmVnaXN0ZXJlZEJ5VHlwZWNhcHBscmVn"
          + "aXN0ZXJlZEF0xIIoGxfLVQ2eTg0V/2psYXN0RXZlbnRzv2R0ZW1wv2dldmVudElkZHRlbXBmZm9y"
          + "bWF0ZGpzb25ncGF5bG9hZEYAAQL/e31pdGltZXN0YW1wxIIoGxfLVQ2eTg0V//9qZXZlbnRDb3Vu"
          + "dAdoY29tbWFuZHO/aGNvbW1hbmRzgb9pY29tbWFuZElkY2MtMWdjb21tYW5kZnJlYm9vdGZmb3Jt"
          + "YXRkanNvbmdwYXlsb2FkRgABAv97fWhxdWV1ZWRBdMSCKBsXy1UNnk4NFWlleHBpcmVzQXTEgigb"
          + "F8tVG5aVZRVmc3RhdHVzaURFTElWRVJFRGhyZXNwb25zZfZocmVjZWl2ZXK/Y29yZ2NvcmdkdHlw"
          + "ZWdnYXRld2F5YmlkZGd3LTH/Z3dhaXRpbmf0//9rY3JlZGVudGlhbHO/a2NyZWRlbnRpYWxzgb9k"
          + "dHlwZWNwc2tmYXV0aElk9mpzZWNyZXRIYXNo9m9lbmNyeXB0ZWRTZWNyZXRjZW5jZ2NyZWF0ZWTE"
          + "gigbF8tVDZ5ODRX//2N2aWGBv2Nvcmdjb3JnZHR5cGVnZ2F0ZXdheWJpZGRndy0x/2Zub25jZXO/"
          + "Y24tMcSCKBsXy1UNnk4NFf9nYWN0c0ZvcoBqYXR0cmlidXRlc79mdmFsdWVzoGdwZW5kaW5noGd2"
          + "ZXJzaW9uAP9qcmVnaXN0ZXJlZPX/";

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("TwinJournalMigrationTest");
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static Object readOld(String simpleName, String base64) {
    return serialization
        .deserialize(Base64.getDecoder().decode(base64), JACKSON_CBOR, OLD + simpleName)
        .get();
  }

  @Test
  void readsEventsWrittenUnderTheirOldNames() {
    TwinEvent.DeviceRegistered registered =
        (TwinEvent.DeviceRegistered) readOld("DeviceRegistered", DEVICE_REGISTERED);
    assertEquals("dev-1", registered.id());
    assertEquals("hall 1", registered.metadata().get("location").asText());
    assertEquals("a-org-key", registered.registeredBy());
    assertEquals(AT, registered.at());

    TwinEvent.EventRecorded recorded =
        (TwinEvent.EventRecorded) readOld("EventRecorded", EVENT_RECORDED);
    assertEquals("temp", recorded.eventId());
    assertArrayEquals(PAYLOAD, recorded.payload());
    assertEquals(AT.plusSeconds(1), recorded.receivedAt());

    TwinEvent.EventsRecorded batch =
        (TwinEvent.EventsRecorded) readOld("EventsRecorded", EVENTS_RECORDED);
    assertEquals(List.of("temp", "hum"), batch.readings().stream().map(r -> r.eventId()).toList());

    TwinEvent.CommandDelivered delivered =
        (TwinEvent.CommandDelivered) readOld("CommandDelivered", COMMAND_DELIVERED);
    assertEquals(GATEWAY, delivered.receiver());
  }

  @Test
  void readsASnapshotWrittenUnderItsOldName() {
    TwinState state = (TwinState) readOld("State", STATE);

    assertTrue(state.registration().enabled());
    assertEquals("a-org-key", state.registration().registeredBy());
    assertArrayEquals(PAYLOAD, state.lastEvents().get("temp").payload());
    assertEquals(7, state.eventCount());
    assertEquals(
        CommandQueue.Status.DELIVERED, state.commands().find("c-1").orElseThrow().status());
    assertEquals("enc", state.credentials().psk().orElseThrow().encryptedSecret());
    assertEquals(List.of(GATEWAY), state.via());
    assertEquals(AT, state.nonces().get("n-1"));
    assertEquals(SharedAttributes.NONE.version(), state.attributes().version());
  }

  @Test
  void writesUnderTheNewNamesWithoutAVersion() {
    TwinEvent.EventRecorded event = new TwinEvent.EventRecorded("temp", "json", PAYLOAD, AT, AT);
    String manifest = Serializers.manifestFor(serialization.findSerializerFor(event), event);

    assertEquals("io.entwine.twin.TwinEvent$EventRecorded", manifest);
  }
}
