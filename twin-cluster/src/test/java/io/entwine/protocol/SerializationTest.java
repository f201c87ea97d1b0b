package io.entwine.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import io.entwine.claims.ClaimEntity;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.mgmt.ActionRequests;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mgmt.ManagedDeviceState;
import io.entwine.registry.AuthIdIndex;
import io.entwine.registry.DeviceIdIndex;
import io.entwine.registry.DeviceTypeCatalog;
import io.entwine.registry.Organization;
import io.entwine.registry.StateEventIds;
import io.entwine.registry.TrustedCaIndex;
import io.entwine.testing.EventSourcedTestSystem;
import io.entwine.twin.CommandQueue;
import io.entwine.twin.DeviceCredentials;
import io.entwine.twin.SharedAttributes;
import io.entwine.twin.StateDocument;
import io.entwine.twin.TwinCommand;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinState;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every message, event and state crosses the network or goes to the journal as jackson-cbor. */
class SerializationTest {
  private static final Instant AT = Instant.parse("2024-05-01T10:00:00.123456789Z");
  private static final byte[] PAYLOAD = {0, 1, 2, (byte) 0xff, '{', '}'};
  private static final DeviceKey GATEWAY = new DeviceKey("org", "gateway", "gw-1");
  private static final Reply.TrustedCa TRUSTED_CA =
      new Reply.TrustedCa("CN=ACME CA,O=ACME", "-----BEGIN CERTIFICATE-----\nMIIB\n");

  @RegisterExtension
  static final EventSourcedTestSystem testKit = new EventSourcedTestSystem("SerializationTest");

  private static ActorRef<Reply> replyTo;

  @BeforeAll
  static void createReplyTo() {
    replyTo = testKit.replyTo();
  }

  private static final ManagedDeviceProtocol.DiagLog DIAG_LOG =
      new ManagedDeviceProtocol.DiagLog(
          "l1", "disk full", 2, "AAE=", Instant.parse("2026-12-07T10:00:00Z"));
  private static final ManagedDeviceProtocol.DiagErrorCode DIAG_CODE =
      new ManagedDeviceProtocol.DiagErrorCode(42, Instant.parse("2026-12-07T10:00:00Z"));
  private static final ManagedDeviceProtocol.ActionOutcome OUTCOME =
      new ManagedDeviceProtocol.ActionOutcome(
          "r1", false, 500, "updateStatus 6", Instant.parse("2026-12-07T10:00:00Z"));
  private static final DeviceKey DEVICE = new DeviceKey("org", "sensor", "s1");

  private static List<Object> samples() {
    JsonNode metadata = metadata();
    Reply.LastEvent lastEvent = new Reply.LastEvent("temp", "json", PAYLOAD, AT);
    return List.of(
        // DeviceTwin commands
        new TwinCommand.Register(
            "pbkdf2-sha256$1$salt$hash", metadata, null, "a-org-key", "app", AT, replyTo),
        new TwinCommand.Update(metadata, false, AT, replyTo),
        new TwinCommand.Get(replyTo),
        new TwinCommand.Delete(AT, replyTo),
        new TwinCommand.RecordEvent(
            "token",
            "a-hash",
            new TwinCommand.EventPart("temp", "json", PAYLOAD, AT, AT.plusSeconds(1), 1),
            replyTo),
        new TwinCommand.RecordEvents(
            "token",
            null,
            List.of(
                new TwinCommand.EventPart("temp", "json", PAYLOAD, AT, AT.plusSeconds(1), 0),
                new TwinCommand.EventPart("temp", "json", PAYLOAD, null, AT.plusSeconds(1), 2)),
            replyTo),
        new TwinCommand.GetLastEvents("temp", replyTo),
        new TwinCommand.GetLastEvents(null, replyTo),
        new TwinCommand.RecordApplicationEvent(
            "a-org-key",
            new TwinCommand.EventPart("temp", "json", PAYLOAD, AT, AT.plusSeconds(1), 1),
            replyTo),
        new TwinCommand.Authenticate("token", null, replyTo),
        new TwinCommand.QueueCommand(
            "c-1", "reboot", "json", PAYLOAD, Duration.ofMinutes(5), AT, replyTo),
        new TwinCommand.AttachSession(
            testKit.<TwinCommand.ToDevice>createTestProbe().ref(), true, replyTo),
        new TwinCommand.DetachSession(
            testKit.<TwinCommand.ToDevice>createTestProbe().ref(), replyTo),
        new TwinCommand.ConfirmDelivered("c-1", AT, replyTo),
        new TwinCommand.DeliverCommand(
            new DeviceKey("org", "type", "id"), "c-1", "reboot", "json", PAYLOAD),
        new TwinCommand.DeliverStateDelta(new DeviceKey("org", "type", "id"), 7, attributes()),
        new TwinCommand.ListCommands(replyTo),
        new TwinCommand.AwaitCommandResponse("c-1", AT, replyTo),
        new TwinCommand.RespondToCommand("c-1", 200, "json", PAYLOAD, GATEWAY, AT, replyTo),
        new TwinCommand.RespondToCommand("c-1", 500, "bin", new byte[0], null, AT, replyTo),
        new TwinCommand.WaitForCommand("w-1", GATEWAY, AT, replyTo),
        new TwinCommand.WaitForCommand("w-1", null, AT, replyTo),
        new TwinCommand.RenewWait("w-1", GATEWAY, AT, replyTo),
        new TwinCommand.StopWaiting("w-1", replyTo),
        new TwinCommand.OfferCommand(
            new DeviceKey("org", "type", "id"),
            "c-1",
            "reboot",
            "json",
            PAYLOAD,
            AT,
            List.of(GATEWAY)),
        new TwinCommand.DeliveredThroughGateway("c-1", GATEWAY, AT),
        new TwinCommand.ActFor(new DeviceKey("org", "type", "id"), true, AT),
        new TwinCommand.OfferWaitingTo(GATEWAY),
        new TwinCommand.OfferWaitingTo(GATEWAY, true),
        TwinCommand.Passivate.INSTANCE,
        new TwinCommand.RecordVerifiedEvent(
            "telemetry", "json", PAYLOAD, AT, AT.plusSeconds(1), GATEWAY, "n-1", replyTo),
        new TwinCommand.RecordVerifiedEvent(
            "event", "bin", PAYLOAD, AT, AT.plusSeconds(1), null, null, replyTo),
        new TwinCommand.AddCredential(
            "hashed-password", "sensor1", "pbkdf2-sha256$1$salt$hash", null, AT, replyTo),
        new TwinCommand.AddCredential("psk", null, null, "aes-gcm$iv$sealed", AT, replyTo),
        new TwinCommand.RemoveCredential("hashed-password", "sensor1", AT, replyTo),
        new TwinCommand.ListCredentials(replyTo),
        new TwinCommand.AuthenticateCredential("sensor1", "hono-secret", null, replyTo),
        new TwinCommand.AuthenticateCertificate("CN=device1,O=ACME", replyTo),
        new TwinCommand.GetPsk(replyTo),
        new TwinCommand.SetGateways(List.of(GATEWAY), AT, replyTo),
        new TwinCommand.ChangeGateway(GATEWAY, true, AT, replyTo),
        new TwinCommand.GetGatewayLinks(replyTo),
        new TwinCommand.Register(
            "pbkdf2-sha256$1$salt$hash", metadata, profile(), "a-org-key", "apikey", AT, replyTo),
        new TwinCommand.UpdateProfile(new DeviceProfile(null, location()), AT, replyTo),
        new TwinCommand.RepublishProfile(AT, replyTo),
        // DeviceTwin events
        new TwinEvent.DeviceRegistered(
            "org", "type", "id", "pbkdf2-sha256$1$salt$hash", metadata, "a-org-key", "app", AT),
        new TwinEvent.MetadataUpdated(metadata, AT),
        new TwinEvent.EnabledChanged(false, AT),
        new TwinEvent.DeviceDeleted(AT),
        new TwinEvent.ProfileUpdated(profile(), AT),
        new TwinEvent.ProfileUpdated(new DeviceProfile(deviceInfo(), null), AT),
        new TwinEvent.EventRecorded("temp", "json", PAYLOAD, AT, AT.plusSeconds(1)),
        new TwinEvent.EventsRecorded(
            List.of(
                new TwinEvent.EventRecorded("temp", "json", PAYLOAD, AT, AT.plusSeconds(1)),
                new TwinEvent.EventRecorded("raw", "bin", new byte[] {0, -1}, AT, AT))),
        new TwinEvent.CommandQueued("c-1", "reboot", "json", PAYLOAD, AT, AT.plusSeconds(60)),
        new TwinEvent.CommandDelivered("c-1", AT, GATEWAY),
        new TwinEvent.CommandDelivered("c-1", AT, null),
        new TwinEvent.CommandExpired("c-1", AT),
        new TwinEvent.CommandResponded("c-1", 200, "json", PAYLOAD, AT),
        new TwinEvent.CredentialAdded(
            "hashed-password", "sensor1", "pbkdf2-sha256$1$salt$hash", null, AT),
        new TwinEvent.CredentialRemoved("psk", null, AT),
        new TwinEvent.GatewaysSet(List.of(GATEWAY), AT),
        new TwinEvent.NonceUsed("n-1", AT, AT.plusSeconds(300)),
        new TwinEvent.ActingForChanged(new DeviceKey("org", "type", "id"), false, AT),
        new TwinCommand.SetAttributes(attributes(), AT, replyTo),
        new TwinCommand.GetAttributes(replyTo),
        new TwinCommand.TakeDownlink(replyTo),
        new TwinCommand.ConfirmAttributesDelivered(3, AT, replyTo),
        new TwinCommand.ConfirmDeltaDelivered(4, replyTo),
        new TwinCommand.ConfirmDeltaDelivered(4, null),
        new TwinCommand.OfferStateDelta(
            new DeviceKey("org", "type", "id"),
            4,
            attributes(),
            List.of(new DeviceKey("org", "gateway", "gw-2"))),
        new TwinEvent.AttributesUpdated(attributes(), AT),
        new TwinEvent.AttributesDelivered(3, AT),
        new TwinCommand.GetState(replyTo),
        new TwinCommand.GetDeviceState("token", "a-hash", replyTo),
        new TwinCommand.ChangeDesiredState(attributes(), true, 3L, AT, replyTo),
        new TwinCommand.ChangeDesiredState(attributes(), false, null, AT, replyTo),
        new TwinCommand.PatchReportedState("token", null, attributes(), null, AT, replyTo),
        new TwinCommand.MergeReportedFromEvents(List.of(attributes(), times()), AT, replyTo),
        new TwinCommand.PatchReportedStates(
            "token", "hash", List.of(attributes(), times()), AT, replyTo),
        new TwinEvent.ReportedStatePatched(attributes(), 4, AT, false),
        new TwinEvent.ReportedStatePatched(attributes(), 5, AT, true),
        new TwinEvent.DesiredStatePatched(attributes(), 5, AT),
        new TwinEvent.DesiredStateReplaced(attributes(), 6, AT),
        // live feed
        new LiveMessage.DeviceEvent("org", "type", "id", "temp", "json", PAYLOAD, AT, 1, null),
        new LiveMessage.DeviceEvent(
            "org",
            "type",
            "id",
            "temp",
            "json",
            PAYLOAD,
            AT,
            1,
            new LiveMessage.Journaled(12, 3, 1040, AT.toEpochMilli())),
        new LiveMessage.DeviceCommand("org", "type", "id", "c-1", "reboot", "json", PAYLOAD),
        new LiveMessage.DeviceStatus("org", "type", "id", PAYLOAD),
        new LiveMessage.ApplicationStatus("org", "app1", PAYLOAD),
        new LiveMessage.DeviceStateChanged(
            "org", "type", "id", "desired", 7, attributes(), attributes(), times()),
        // DeviceTwin state
        TwinState.EMPTY,
        new TwinState(
            new TwinState.Registration("hash", metadata, false, "a-org-key", "app", AT),
            Map.of("temp", lastEvent, "bin", new Reply.LastEvent("bin", "bin", new byte[0], AT)),
            42,
            new CommandQueue(
                List.of(
                    new CommandQueue.QueuedCommand(
                        "c-1",
                        "reboot",
                        "json",
                        PAYLOAD,
                        AT,
                        AT.plusSeconds(60),
                        CommandQueue.Status.QUEUED,
                        null,
                        null),
                    new CommandQueue.QueuedCommand(
                        "c-2",
                        "reboot",
                        "json",
                        PAYLOAD,
                        AT,
                        AT.plusSeconds(60),
                        CommandQueue.Status.RESPONDED,
                        new CommandQueue.Response(200, "json", PAYLOAD, AT),
                        GATEWAY))),
            new DeviceCredentials(
                List.of(
                    new DeviceCredentials.Credential(
                        "hashed-password", "sensor1", "hash", null, AT),
                    new DeviceCredentials.Credential(
                        "x509-cert", "CN=device1,O=ACME", null, null, AT),
                    new DeviceCredentials.Credential("psk", null, null, "aes-gcm$a$b", AT))),
            List.of(GATEWAY),
            Map.of("n-1", AT),
            List.of(new DeviceKey("org", "type", "id")),
            new SharedAttributes(attributes(), attributes(), 3),
            new StateDocument(attributes(), attributes(), 7, times(), times())),
        new TwinState(
            new TwinState.Registration(
                "hash", metadata, true, "a-org-key", "apikey", AT, profile()),
            Map.of(),
            0,
            CommandQueue.EMPTY),
        // device type catalog
        new DeviceTypeCatalog.CreateType(
            new DeviceTypeCatalog.TypeCreated(
                "sensor", "Gateway", "a sensor", deviceInfo(), metadata, AT),
            replyTo),
        new DeviceTypeCatalog.UpdateType(
            new DeviceTypeCatalog.TypeUpdated("sensor", null, deviceInfo(), null, AT), replyTo),
        new DeviceTypeCatalog.DeleteType("sensor", AT, replyTo),
        new DeviceTypeCatalog.GetType("sensor", replyTo),
        new DeviceTypeCatalog.ListTypes(replyTo),
        new DeviceTypeCatalog.TypeCreated("sensor", "Device", null, null, null, AT),
        new DeviceTypeCatalog.TypeUpdated("sensor", "a sensor", deviceInfo(), metadata, AT),
        new DeviceTypeCatalog.TypeDeleted("sensor", AT),
        DeviceTypeCatalog.State.EMPTY,
        new DeviceTypeCatalog.State(Map.of("sensor", deviceType())),
        // device management
        new ManagedDeviceProtocol.ToDevice("iotdm-1/response", PAYLOAD),
        new ManagedDeviceProtocol.Manage(
            3600, true, false, deviceInfo(), metadata, AT, replyTo.unsafeUpcast(), replyTo),
        new ManagedDeviceProtocol.Unmanage(AT, replyTo),
        new ManagedDeviceProtocol.AddLog(DIAG_LOG, replyTo),
        new ManagedDeviceProtocol.ClearLogs(replyTo),
        new ManagedDeviceProtocol.AddErrorCode(DIAG_CODE, replyTo),
        new ManagedDeviceProtocol.ClearErrorCodes(replyTo),
        new ManagedDeviceProtocol.NotifyFirmware(metadata, AT, replyTo),
        new ManagedDeviceProtocol.Respond("r1-observe_sent", 200, "ok", AT, replyTo),
        new ManagedDeviceProtocol.GetManagement(AT, replyTo),
        new ManagedDeviceProtocol.GetLogs(replyTo),
        new ManagedDeviceProtocol.GetErrorCodes(replyTo),
        new ManagedDeviceProtocol.Attach(replyTo.unsafeUpcast()),
        new ManagedDeviceProtocol.Start("r1", "firmware/download", Map.of("uri", "https://fw"), AT),
        new ManagedDeviceProtocol.Abandon(OUTCOME),
        new TwinCommand.CheckSender(DEVICE, replyTo),
        new ManagedDeviceProtocol.Managed(0, true, true, null, null, AT),
        new ManagedDeviceProtocol.Unmanaged(AT),
        new ManagedDeviceProtocol.LogAdded(DIAG_LOG),
        new ManagedDeviceProtocol.LogsCleared(),
        new ManagedDeviceProtocol.ErrorCodeAdded(DIAG_CODE),
        new ManagedDeviceProtocol.ErrorCodesCleared(),
        new ManagedDeviceProtocol.FirmwareChanged(metadata, AT),
        new ManagedDeviceProtocol.ActionStarted(
            "r1", "device/reboot", Map.of(), ManagedDeviceProtocol.ActionStep.INITIATE_SENT, AT),
        new ManagedDeviceProtocol.ActionStepped(ManagedDeviceProtocol.ActionStep.ACCEPTED),
        new ManagedDeviceProtocol.ActionEnded(OUTCOME),
        ManagedDeviceState.EMPTY,
        new ManagedDeviceState(
            new ManagedDeviceState.Management(3600, true, true, deviceInfo(), AT),
            metadata,
            List.of(DIAG_LOG),
            List.of(DIAG_CODE),
            new ManagedDeviceState.Action(
                "r2", "firmware/update", Map.of(), ManagedDeviceProtocol.ActionStep.OBSERVE_SENT),
            OUTCOME),
        new ActionRequests.Initiate(
            new ActionRequests.RequestInitiated(
                "r1", "device/reboot", Map.of(), List.of(DEVICE), AT),
            replyTo),
        new ActionRequests.DeviceFinished(OUTCOME, "org", "sensor", "s1"),
        new ActionRequests.Get("r1", replyTo),
        new ActionRequests.GetDeviceStatus("r1", replyTo),
        new ActionRequests.ListRequests(replyTo),
        new ActionRequests.Clear("r1", replyTo),
        new ActionRequests.CheckDeadlines(),
        new ActionRequests.RequestInitiated(
            "r1", "firmware/download", Map.of("uri", "https://fw"), List.of(DEVICE), AT),
        new ActionRequests.DeviceOutcomeRecorded("r1", "sensor", "s1", OUTCOME),
        new ActionRequests.RequestCleared("r1"),
        ActionRequests.State.EMPTY,
        new ActionRequests.State(
            Map.of(
                "r1",
                new ActionRequests.Request(
                    "r1",
                    "device/reboot",
                    Map.of(),
                    AT,
                    AT,
                    Map.of("sensor/s1", OUTCOME),
                    List.of(DEVICE)))),
        new Reply.ManagementView(metadata),
        // Organization commands
        new Organization.Create("My Org", AT, replyTo),
        new Organization.Get(replyTo),
        new Organization.CreateApiKey("a-org-key", "hash", "ci", AT, replyTo),
        new Organization.ListApiKeys(replyTo),
        new Organization.RevokeApiKey("a-org-key", AT, replyTo),
        new Organization.Authenticate("a-org-key", "token", null, replyTo),
        new Organization.ConfigureHonoHttp(new Reply.HonoHttpAdapter(false, 30, true), AT, replyTo),
        new Organization.SetLimits(new Reply.MessageLimits(1000, 60, 4096), AT, replyTo),
        new Organization.GetSettings(replyTo),
        new Organization.ConfigureAdapter("ibm-mqtt", false, AT, replyTo),
        new Organization.SetTrustedCas(List.of(TRUSTED_CA), AT, replyTo),
        new Organization.SetLimits(new Reply.MessageLimits(1000, 60, 4096, 250), AT, replyTo),
        new Organization.SetRetention(new Reply.HistoryRetention(3_600, 86_400), AT, replyTo),
        new Organization.ReserveDevices(3, replyTo),
        new Organization.ReleaseDevices(1, replyTo),
        // Organization events
        new Organization.OrganizationCreated("org", "My Org", AT),
        new Organization.ApiKeyCreated("a-org-key", "hash", "ci", AT),
        new Organization.ApiKeyRevoked("a-org-key", AT),
        new Organization.HonoHttpConfigured(new Reply.HonoHttpAdapter(false, 30, true), AT),
        new Organization.LimitsSet(new Reply.MessageLimits(1000, 60, 4096), AT),
        new Organization.AdapterConfigured("ibm-http", false, AT),
        new Organization.TrustedCasSet(List.of(TRUSTED_CA), AT),
        new Organization.RetentionSet(new Reply.HistoryRetention(3_600, 86_400), AT),
        new Organization.DevicesReserved(3),
        new Organization.DevicesReleased(1),
        // Organization state
        Organization.State.EMPTY,
        new Organization.State(
            "My Org",
            AT,
            AT.plusSeconds(1),
            Map.of("a-org-key", new Organization.ApiKey("a-org-key", "hash", "ci", AT)),
            new Reply.OrganizationSettings(
                new Reply.HonoHttpAdapter(true, 60, false),
                new Reply.MessageLimits(10, 1, 0),
                List.of(TRUSTED_CA))),
        new Organization.State(
            "My Org",
            AT,
            AT,
            Map.of(),
            new Reply.OrganizationSettings(
                Reply.HonoHttpAdapter.DEFAULT, new Reply.MessageLimits(0, 60, 0, 7), List.of()),
            5),
        new Organization.State(
            "My Org",
            AT,
            AT,
            Map.of(),
            new Reply.OrganizationSettings(
                Reply.HonoHttpAdapter.DEFAULT,
                Reply.MessageLimits.NONE,
                List.of(),
                Set.of("ibm-http", "ibm-mqtt")),
            0),
        new Organization.State(
            "My Org",
            AT,
            AT,
            Map.of(),
            Reply.OrganizationSettings.DEFAULT.withRetention(
                new Reply.HistoryRetention(3_600, 86_400)),
            0),
        // indexes
        AuthIdIndex.TABLE.claim(GATEWAY).apply(replyTo),
        AuthIdIndex.TABLE.release(GATEWAY).apply(replyTo),
        AuthIdIndex.TABLE.lookup().apply(replyTo),
        DeviceIdIndex.TABLE.claim(GATEWAY).apply(replyTo),
        TrustedCaIndex.TABLE.claim("org").apply(replyTo),
        new ClaimEntity.Claimed(GATEWAY.entityId(), ""),
        new ClaimEntity.Released(GATEWAY.entityId()),
        ClaimEntity.State.EMPTY,
        new ClaimEntity.State(Map.of("a", "", "b", "")),
        new Reply.TenantFound("org"),
        // Replies
        new Reply.Done(),
        new Reply.Rejected(Rejection.NOT_FOUND, "no such device"),
        new Reply.Rejected(Rejection.ALREADY_EXISTS, "exists"),
        new Reply.Rejected(Rejection.UNAUTHORIZED, "who are you"),
        new Reply.Rejected(Rejection.FORBIDDEN, "disabled"),
        new Reply.Rejected(Rejection.INVALID, "bad"),
        new Reply.Rejected(Rejection.LIMIT_EXCEEDED, "full"),
        new Reply.CommandAccepted("c-1"),
        new Reply.NeedsVerification("pbkdf2-sha256$1$salt$hash"),
        new Reply.DeviceInfo(
            "org", "type", "id", metadata, true, "a-org-key", "app", AT, 7, null, null),
        new Reply.DeviceInfo(
            "org", "type", "id", metadata, true, "a-org-key", "app", AT, 7, attributes(), null),
        new Reply.DeviceInfo(
            "org", "type", "id", metadata, true, "a-org-key", "app", AT, 7, null, profile()),
        deviceType(),
        new Reply.DeviceTypeList(List.of(deviceType())),
        new Reply.Attributes(attributes(), 3),
        new Reply.Downlink(attributes(), 3, null, null),
        new Reply.Downlink(null, 3, new Reply.StateDeltaToDeliver(GATEWAY, 4, attributes()), null),
        new Reply.Downlink(
            null, 3, null, new Reply.CommandToDeliver(GATEWAY, "c-1", "set", "json", PAYLOAD)),
        new Reply.LastEvents(List.of(lastEvent)),
        new Reply.LastEvents(List.of()),
        new Reply.OrganizationInfo("org", "My Org", AT, AT.plusSeconds(1)),
        new Reply.ApiKeys(List.of(new Reply.ApiKeyInfo("a-org-key", "ci", AT))),
        new Reply.Rejected(Rejection.DISABLED, "disabled"),
        new Reply.Rejected(Rejection.UNAVAILABLE, "nobody waits"),
        new Reply.Rejected(Rejection.TIMED_OUT, "no response"),
        new Reply.CommandResponse("c-1", 200, "json", PAYLOAD),
        new Reply.CommandToDeliver(GATEWAY, "c-1", "set", "json", PAYLOAD),
        new Reply.NoCommand(),
        new Reply.StateDeltaToDeliver(GATEWAY, 7, attributes()),
        new Reply.StateView(attributes(), attributes(), attributes(), 7, times()),
        new Reply.StateVersionMismatch(3, 7),
        new Reply.ReportedPatchesApplied(
            Arrays.asList(null, new Reply.Rejected(Rejection.INVALID, "too deep"))),
        new Reply.EventIds(List.of("status", "env")),
        StateEventIds.TABLE.claim("status").apply(replyTo),
        new Reply.Rejected(Rejection.TOO_LARGE, "too large"),
        new Reply.CommandList(
            List.of(
                new Reply.CommandInfo(
                    "c-1", "set", "json", "responded", AT, AT, 200, "json", PAYLOAD, AT),
                new Reply.CommandInfo(
                    "c-2", "set", "json", "queued", AT, AT, null, null, null, null)),
            1),
        new Reply.CredentialList(
            List.of(new Reply.CredentialInfo("hashed-password", "sensor1", AT))),
        new Reply.EncryptedPsk("aes-gcm$a$b"),
        new Reply.DeviceFound(GATEWAY),
        new Reply.GatewayLinks(List.of(GATEWAY), List.of(DEVICE)),
        new Reply.StandardGateways(List.of(GATEWAY)),
        new Reply.DeviceTypes(List.of("a", "b")),
        Reply.OrganizationSettings.DEFAULT);
  }

  private static ObjectNode deviceInfo() {
    ObjectNode info = JsonNodeFactory.instance.objectNode();
    info.put("serialNumber", "SN-1");
    info.put("fwVersion", "1.0.2");
    return info;
  }

  private static ObjectNode location() {
    ObjectNode location = JsonNodeFactory.instance.objectNode();
    location.put("latitude", 52.5);
    location.put("longitude", 13.4);
    location.put("measuredDateTime", AT.toString());
    return location;
  }

  private static DeviceProfile profile() {
    return new DeviceProfile(deviceInfo(), location());
  }

  private static Reply.DeviceTypeInfo deviceType() {
    return new Reply.DeviceTypeInfo(
        "sensor", "Device", "a sensor", deviceInfo(), metadata(), AT, AT.plusSeconds(1));
  }

  /** A tree of leaf times beside a state document's tree, nested and with 21.5 as a value. */
  private static ObjectNode times() {
    ObjectNode times = JsonNodeFactory.instance.objectNode();
    times.put("interval", 1796623200);
    times.putObject("net").put("ssid", 1796623201).put("temp", 21.5);
    times.putArray("channels").add(1).add(6);
    return times;
  }

  private static ObjectNode attributes() {
    ObjectNode attributes = JsonNodeFactory.instance.objectNode();
    attributes.put("firmware", "01052020.v1.1");
    attributes.putNull("removed");
    return attributes;
  }

  @Test
  void everyMessageEventAndStateRoundTrips() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    for (Object sample : samples()) {
      Object copy = serialization.verifySerialization(sample, false);
      assertNotSame(sample, copy);
      assertDeepEquals(sample, copy, sample.getClass().getSimpleName());
    }
  }

  @Test
  void everyTypeIsBoundToJacksonCborThroughTheMarker() {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    for (Object sample : samples()) {
      assertInstanceOf(CborSerializable.class, sample);
      Serializer serializer = serialization.findSerializerFor(sample);
      assertInstanceOf(JacksonCborSerializer.class, serializer, sample.getClass().getName());
      assertEquals(33, serializer.identifier(), "the jackson-cbor identifier");
    }
  }

  @Test
  void everyCommandEventAndReplyTypeHasASample() {
    Set<Class<?>> sampled = samples().stream().map(Object::getClass).collect(Collectors.toSet());
    List<Class<?>> required = new ArrayList<>();
    for (Class<?> sealed :
        List.of(
            TwinCommand.class,
            TwinEvent.class,
            Organization.Command.class,
            Organization.Event.class,
            ClaimEntity.Command.class,
            ClaimEntity.Event.class,
            DeviceTypeCatalog.Command.class,
            DeviceTypeCatalog.Event.class,
            ManagedDeviceProtocol.Command.class,
            ManagedDeviceProtocol.Event.class,
            ActionRequests.Command.class,
            ActionRequests.Event.class,
            Reply.class,
            LiveMessage.class)) {
      required.addAll(List.of(sealed.getPermittedSubclasses()));
    }
    required.add(TwinState.class);
    required.add(Organization.State.class);
    required.add(ClaimEntity.State.class);
    required.add(DeviceTypeCatalog.State.class);
    required.add(ManagedDeviceState.class);
    // a sealed layer of its own: the commands that are answered
    required.remove(ManagedDeviceProtocol.Answered.class);
    required.addAll(List.of(ManagedDeviceProtocol.Answered.class.getPermittedSubclasses()));
    required.add(ActionRequests.State.class);
    required.add(ManagedDeviceProtocol.ToDevice.class);

    for (Class<?> type : required) {
      assertTrue(sampled.contains(type), "no serialization sample of " + type.getName());
    }
  }

  @Test
  void twinsReadFromSnapshotsShareWhoRegisteredThem() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    TwinState snapshot =
        new TwinState(
            new TwinState.Registration("hash", metadata(), true, "a-org-key", "app", AT),
            Map.of(),
            0,
            CommandQueue.EMPTY);
    TwinState.Registration first =
        ((TwinState) serialization.verifySerialization(snapshot, false)).registration();
    TwinState.Registration second =
        ((TwinState) serialization.verifySerialization(snapshot, false)).registration();
    assertSame(first.registeredBy(), second.registeredBy());
    assertSame(first.registeredByType(), second.registeredByType());
  }

  @Test
  void byteArrayPayloadsSurviveTheRoundTrip() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    byte[] allBytes = new byte[256];
    for (int i = 0; i < allBytes.length; i++) {
      allBytes[i] = (byte) i;
    }

    TwinEvent.EventRecorded copy =
        serialization.verifySerialization(
            new TwinEvent.EventRecorded("raw", "bin", allBytes, AT, AT), false);

    assertArrayEquals(allBytes, copy.payload());
  }

  @Test
  void instantsAreWrittenAsNumbersAndThoseWrittenAsTextAreStillRead() throws Exception {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    TwinEvent.EventRecorded event =
        new TwinEvent.EventRecorded("temp", "json", PAYLOAD, AT, AT.plusSeconds(1));
    byte[] written = serialization.serialize(event).get();
    ObjectMapper asBefore =
        new ObjectMapper(new CBORFactory())
            .registerModule(new JavaTimeModule())
            .registerModule(new ParameterNamesModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    byte[] writtenBefore = asBefore.writeValueAsBytes(event);

    Object readBefore =
        serialization.deserialize(writtenBefore, 33, TwinEvent.EventRecorded.class.getName()).get();

    String text = new String(written, StandardCharsets.ISO_8859_1);
    assertFalse(text.contains("2024-05-01T10:00:00.123456789Z"), "no ISO-8601 text in " + text);
    assertTrue(
        new String(writtenBefore, StandardCharsets.ISO_8859_1)
            .contains("2024-05-01T10:00:00.123456789Z"));
    assertDeepEquals(event, readBefore, "EventRecorded written as text");
  }

  @Test
  void limitsAndOrganizationsWrittenBeforeTheDeviceQuotaReadAsUnlimitedAndUncounted()
      throws Exception {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    Map<String, Object> oldLimits =
        Map.of("messagesPerPeriod", 1000, "periodSeconds", 60, "maxPayloadBytes", 4096);
    byte[] oldEvent =
        cbor.writeValueAsBytes(Map.of("limits", oldLimits, "at", "2024-05-01T10:00:00Z"));
    byte[] oldState =
        cbor.writeValueAsBytes(
            Map.of(
                "name", "My Org",
                "created", "2024-05-01T10:00:00Z",
                "updated", "2024-05-01T10:00:00Z",
                "apiKeys", Map.of(),
                "settings",
                    Map.of(
                        "honoHttp",
                        Map.of("enabled", true, "maxTtd", 60, "allowUnauthenticated", false),
                        "limits",
                        oldLimits,
                        "trustedCas",
                        List.of())));

    Organization.LimitsSet event =
        (Organization.LimitsSet)
            serialization.deserialize(oldEvent, 33, Organization.LimitsSet.class.getName()).get();
    Organization.State state =
        (Organization.State)
            serialization.deserialize(oldState, 33, Organization.State.class.getName()).get();

    assertEquals(new Reply.MessageLimits(1000, 60, 4096, 0), event.limits());
    assertEquals(0, state.devices());
    assertEquals(new Reply.MessageLimits(1000, 60, 4096, 0), state.settings().limits());
    assertEquals(Set.of(), state.settings().disabledAdapters(), "written before adapter switches");
    assertTrue(state.settings().adapterEnabled("ibm-http"));
    assertEquals(
        Reply.HistoryRetention.UNLIMITED, state.settings().retention(), "written before retention");
  }

  @Test
  void registrationsWrittenBeforeDeviceProfilesReadWithoutOne() throws Exception {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    byte[] oldState =
        cbor.writeValueAsBytes(
            Map.of(
                "registration",
                Map.of(
                    "secretHash", "hash",
                    "enabled", true,
                    "registeredBy", "a-org-key",
                    "registeredByType", "apikey",
                    "registeredAt", "2024-05-01T10:00:00Z"),
                "lastEvents",
                Map.of(),
                "eventCount",
                3,
                "commands",
                Map.of("commands", List.of())));

    TwinState state =
        (TwinState) serialization.deserialize(oldState, 33, TwinState.class.getName()).get();

    assertTrue(state.isRegistered());
    assertEquals(null, state.registration().profile());
    assertEquals(3, state.eventCount());
  }

  @Test
  void recordedEventCommandsKeepTheirFlatFormForNodesOfThePreviousVersion() throws Exception {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    TwinCommand.EventPart part =
        new TwinCommand.EventPart("temp", "json", PAYLOAD, AT, AT.plusSeconds(1), 1);
    TwinCommand.RecordEvent command = new TwinCommand.RecordEvent("token", "a-hash", part, replyTo);
    Map<String, Object> asBefore = new java.util.HashMap<>();
    asBefore.put("token", "token");
    asBefore.put("verifiedAgainst", "a-hash");
    asBefore.put("eventId", "temp");
    asBefore.put("format", "json");
    asBefore.put("payload", PAYLOAD);
    asBefore.put("timestamp", AT.toString());
    asBefore.put("receivedAt", AT.plusSeconds(1).toString());
    asBefore.put("qos", 1);

    Object readBefore =
        serialization
            .deserialize(
                cbor.writeValueAsBytes(asBefore), 33, TwinCommand.RecordEvent.class.getName())
            .get();

    assertEquals(
        Set.of(
            "token",
            "verifiedAgainst",
            "eventId",
            "format",
            "payload",
            "timestamp",
            "receivedAt",
            "qos",
            "replyTo"),
        writtenFields(command));
    assertEquals(command.token(), ((TwinCommand.RecordEvent) readBefore).token());
    assertDeepEquals(part, ((TwinCommand.RecordEvent) readBefore).event(), "RecordEvent as before");
  }

  /**
   * Commands that carry the event they ask to persist write its fields beside their own, as when
   * they listed them, so that nodes of the previous version read them during a rolling upgrade.
   */
  @Test
  void commandsCarryingTheirEventKeepTheirFlatForm() throws Exception {
    assertEquals(
        Set.of("id", "classId", "description", "deviceInfo", "metadata", "at", "replyTo"),
        writtenFields(
            new DeviceTypeCatalog.CreateType(
                new DeviceTypeCatalog.TypeCreated("sensor", "Gateway", "a sensor", null, null, AT),
                replyTo)));
    assertEquals(
        Set.of("id", "description", "deviceInfo", "metadata", "at", "replyTo"),
        writtenFields(
            new DeviceTypeCatalog.UpdateType(
                new DeviceTypeCatalog.TypeUpdated("sensor", "new", null, null, AT), replyTo)));
    assertEquals(
        Set.of("requestId", "action", "parameters", "devices", "at", "replyTo"),
        writtenFields(
            new ActionRequests.Initiate(
                new ActionRequests.RequestInitiated(
                    "r1", "device/reboot", Map.of(), List.of(DEVICE), AT),
                replyTo)));
    assertEquals(
        Set.of(
            "apiKey", "eventId", "format", "payload", "timestamp", "receivedAt", "qos", "replyTo"),
        writtenFields(
            new TwinCommand.RecordApplicationEvent(
                "a-org-key",
                new TwinCommand.EventPart("temp", "json", PAYLOAD, AT, AT, 1),
                replyTo)));
  }

  /** The top-level field names of {@code message} as its serializer writes it. */
  private static Set<String> writtenFields(Object message) throws Exception {
    byte[] written =
        SerializationExtension.get(testKit.system().classicSystem()).serialize(message).get();
    Set<String> names = new java.util.HashSet<>();
    new ObjectMapper(new CBORFactory()).readTree(written).fieldNames().forEachRemaining(names::add);
    return names;
  }

  // ---- helpers ----

  private static JsonNode metadata() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("location", "hall 1").put("floor", 2).put("active", true).put("ratio", 0.5);
    node.putNull("owner");
    node.putArray("tags").add("a").add(3);
    node.putObject("nested").put("text", "ünïcödé ✓");
    return node;
  }

  /** Value equality that also compares byte arrays inside records, lists and maps. */
  private static void assertDeepEquals(Object expected, Object actual, String path) {
    if (expected instanceof byte[] bytes) {
      assertArrayEquals(bytes, (byte[]) actual, path);
    } else if (expected instanceof Record record) {
      assertEquals(expected.getClass(), actual.getClass(), path);
      for (RecordComponent component : record.getClass().getRecordComponents()) {
        assertDeepEquals(
            value(component, expected), value(component, actual), path + "." + component.getName());
      }
    } else if (expected instanceof List<?> list) {
      List<?> other = assertInstanceOf(List.class, actual, path);
      assertEquals(list.size(), other.size(), path);
      Iterator<?> it = other.iterator();
      for (Object item : list) {
        assertDeepEquals(item, it.next(), path + "[]");
      }
    } else if (expected instanceof Map<?, ?> map) {
      Map<?, ?> other = assertInstanceOf(Map.class, actual, path);
      assertEquals(map.keySet(), other.keySet(), path);
      map.forEach((key, value) -> assertDeepEquals(value, other.get(key), path + "[" + key + "]"));
    } else {
      assertEquals(expected, actual, path);
    }
  }

  private static Object value(RecordComponent component, Object record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
