package io.entwine.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.claims.ClaimEntity;
import io.entwine.concurrent.Failures;
import io.entwine.credentials.SecretBox;
import io.entwine.credentials.Tokens;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Admission;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.script.ConverterException;
import io.entwine.integration.script.Converters;
import io.entwine.integration.script.DecodedUplink;
import io.entwine.integration.script.DownlinkConverter;
import io.entwine.integration.script.EncodedDownlink;
import io.entwine.integration.script.ScriptLimits;
import io.entwine.integration.script.UplinkConverter;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * ThingsBoard-style HTTP integrations: their management for an organization, and the pipeline of a
 * sender's message: find the integration by routing key → check its security headers → decode on
 * the converter pool → record on the twins ({@link UplinkRecorder}) → hand back what waits for the
 * first of those devices that has something, encoded by the downlink converter.
 *
 * <p>(Over 400 lines as one responsibility: management and the pipeline share the directory
 * lookups, the converter pool and the refusal mapping; the recording ({@link UplinkRecorder}) and
 * the entity ({@link Integration}) are classes of their own.)
 */
public final class HttpIntegrations {
  /** Metadata key prefix of request headers, as ThingsBoard names them. */
  public static final String HEADER_PREFIX = "Header:";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Executor SAME_THREAD = Runnable::run;

  private final ClusterSharding sharding;
  private final TwinGateway gateway;
  private final UplinkRecorder recorder;
  private final Converters converters;
  private final SecretBox secretBox;
  private final Admission admission;
  private final Duration askTimeout;

  public HttpIntegrations(
      ActorSystem<?> system,
      TwinGateway gateway,
      Converters converters,
      SecretBox secretBox,
      OrganizationPolicies policies) {
    this.sharding = ClusterSharding.get(system);
    this.gateway = gateway;
    this.recorder = new UplinkRecorder(gateway, policies);
    this.converters = converters;
    this.secretBox = secretBox;
    this.admission = new Admission(policies, gateway, "integration");
    this.askTimeout = gateway.askTimeout();
  }

  // ---- management ----

  /** SYNTAX (as INVALID) when a script does not compile; else {@link IntegrationReply.Found}. */
  public CompletionStage<IntegrationReply> create(String org, IntegrationSpec spec) {
    IntegrationReply invalid = compileError(spec);
    if (invalid != null) {
      return CompletableFuture.completedFuture(invalid);
    }
    String id = UUID.randomUUID().toString();
    String routingKey = Tokens.secret();
    Integration.Settings settings = settings(org, id, spec, Map.of());
    return ask(directory(org), IntegrationDirectory.TABLE.claim(id, routingKey))
        .thenComposeAsync(
            added ->
                ask(
                    integration(routingKey),
                    replyTo -> new Integration.Create(settings, Timestamps.now(), replyTo)),
            SAME_THREAD);
  }

  public CompletionStage<IntegrationReply> get(String org, String id) {
    return askIntegration(org, id, Integration.Get::new);
  }

  /** The organization's integrations, oldest first. */
  public CompletionStage<List<IntegrationReply.Found>> list(String org) {
    return ask(directory(org), IntegrationDirectory.TABLE.lookup())
        .thenComposeAsync(
            reply -> {
              List<CompletableFuture<IntegrationReply>> gets = new ArrayList<>();
              for (String routingKey :
                  ((IntegrationReply.Directory) reply).routingKeys().values()) {
                gets.add(ask(integration(routingKey), Integration.Get::new).toCompletableFuture());
              }
              return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
                  .thenApply(
                      done ->
                          gets.stream()
                              .map(CompletableFuture::join)
                              .filter(IntegrationReply.Found.class::isInstance)
                              .map(IntegrationReply.Found.class::cast)
                              .filter(found -> found.settings().org().equals(org))
                              .sorted(
                                  java.util.Comparator.comparing(IntegrationReply.Found::created))
                              .toList());
            },
            SAME_THREAD);
  }

  public CompletionStage<IntegrationReply> update(String org, String id, IntegrationSpec spec) {
    IntegrationReply invalid = compileError(spec);
    if (invalid != null) {
      return CompletableFuture.completedFuture(invalid);
    }
    return withRoutingKey(
        org,
        id,
        routingKey ->
            ask(integration(routingKey), Integration.Get::new)
                .thenComposeAsync(
                    current -> {
                      if (!(current instanceof IntegrationReply.Found found)) {
                        return CompletableFuture.completedFuture(current);
                      }
                      Integration.Settings settings =
                          settings(org, id, spec, found.settings().securityHeaders());
                      return ask(
                          integration(routingKey),
                          replyTo -> new Integration.Update(settings, Timestamps.now(), replyTo));
                    },
                    SAME_THREAD));
  }

  public CompletionStage<IntegrationReply> delete(String org, String id) {
    return withRoutingKey(
        org,
        id,
        routingKey ->
            ask(
                    integration(routingKey),
                    replyTo -> new Integration.Delete(org, Timestamps.now(), replyTo))
                .thenComposeAsync(
                    deleted ->
                        deleted instanceof IntegrationReply.Done
                            ? ask(directory(org), IntegrationDirectory.TABLE.release(id))
                            : CompletableFuture.completedFuture(deleted),
                    SAME_THREAD));
  }

  public CompletionStage<IntegrationReply> debugEvents(String org, String id) {
    return askIntegration(org, id, replyTo -> new Integration.GetDebugEvents(org, replyTo));
  }

  // ---- a sender's message ----

  /**
   * Handles a message posted to {@code routingKey}; {@code headers} are the request's headers
   * (names in any case). Fails only when a twin or the integration did not answer in time.
   */
  public CompletionStage<UplinkResult> uplink(
      String routingKey, byte[] body, Map<String, String> headers) {
    return ask(integration(routingKey), Integration.Get::new)
        .thenComposeAsync(
            reply ->
                reply instanceof IntegrationReply.Found found
                    ? uplink(routingKey, found.settings(), body, lowerCaseNames(headers))
                    : CompletableFuture.completedFuture(new UplinkResult.UnknownRoutingKey()),
            SAME_THREAD);
  }

  private CompletionStage<UplinkResult> uplink(
      String routingKey, Integration.Settings settings, byte[] body, Map<String, String> headers) {
    UplinkResult refusedByHeaders = checkSecurityHeaders(settings, headers);
    if (refusedByHeaders != null) {
      return CompletableFuture.completedFuture(refusedByHeaders);
    }
    return admission
        .admit(settings.org(), body.length, 0)
        .thenComposeAsync(
            decision -> {
              UplinkResult refused = decision.admitted() ? null : refused(decision.refusal());
              return refused != null
                  ? CompletableFuture.completedFuture(refused)
                  : decodeAndRecord(routingKey, settings, body, headers);
            },
            SAME_THREAD);
  }

  /**
   * The organization's message limits count integration messages like every other protocol's; a
   * sender's message for an organization that is gone is left to the twins to refuse.
   */
  private static UplinkResult refused(Admission.Refusal refusal) {
    return switch (refusal.reason()) {
      case UNKNOWN_ORGANIZATION, ADAPTER_DISABLED -> null;
      case PAYLOAD_TOO_LARGE ->
          new UplinkResult.LimitExceeded(
              413,
              "The body exceeds the organization's limit of "
                  + refusal.maxPayloadBytes()
                  + " bytes");
      case OVER_BUDGET ->
          new UplinkResult.LimitExceeded(
              429, "The organization's message limit is reached; retry later");
    };
  }

  private CompletionStage<UplinkResult> decodeAndRecord(
      String routingKey, Integration.Settings settings, byte[] body, Map<String, String> headers) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("integrationName", settings.name());
    headers.forEach((name, value) -> metadata.put(HEADER_PREFIX + name, value));
    DebugEvents debug = new DebugEvents(integration(routingKey), settings.debug());
    UplinkConverter converter;
    try {
      converter = converters.uplink(settings.uplinkScript());
    } catch (ConverterException e) {
      return CompletableFuture.completedFuture(new UplinkResult.ConverterFailed(e));
    }
    return converters
        .decode(converter, body, metadata)
        .handle(
            (uplinks, failure) -> {
              Supplier<String> in = () -> new String(body, StandardCharsets.UTF_8);
              if (failure != null) {
                Throwable cause = Failures.cause(failure);
                debug.record("uplink", in, () -> null, cause.getMessage());
                return CompletableFuture.<UplinkResult>completedFuture(failed(cause));
              }
              debug.record("uplink", in, () -> decodedJson(uplinks), null);
              return recordAndAnswer(settings, uplinks, debug);
            })
        .thenComposeAsync(Function.identity(), SAME_THREAD);
  }

  private static UplinkResult failed(Throwable cause) {
    if (cause instanceof ConverterException converterFailure) {
      return new UplinkResult.ConverterFailed(converterFailure);
    }
    if (cause instanceof RejectedExecutionException) {
      return new UplinkResult.Busy();
    }
    throw new IllegalStateException("Converter run failed", cause);
  }

  private CompletionStage<UplinkResult> recordAndAnswer(
      Integration.Settings settings, List<DecodedUplink> uplinks, DebugEvents debug) {
    return recorder
        .record(settings.org(), uplinks, settings.allowCreateDevices(), source(settings))
        .thenComposeAsync(
            outcome -> {
              if (!outcome.allRecorded()) {
                return CompletableFuture.completedFuture(
                    new UplinkResult.Refused(outcome.refused()));
              }
              if (settings.downlinkScript() == null) {
                return CompletableFuture.completedFuture(
                    new UplinkResult.Recorded(null, settings.replaceNoContentWithOk()));
              }
              return downlink(settings, outcome.recorded(), 0, debug)
                  .thenApply(
                      downlink ->
                          new UplinkResult.Recorded(downlink, settings.replaceNoContentWithOk()));
            },
            SAME_THREAD);
  }

  /** {@code registeredBy} of the devices an integration creates. */
  static String source(Integration.Settings settings) {
    return "integration:" + settings.id();
  }

  // ---- downlinks ----

  /** The first of {@code devices} (from {@code index}) with something waiting, encoded, or null. */
  private CompletionStage<EncodedDownlink> downlink(
      Integration.Settings settings, List<DeviceKey> devices, int index, DebugEvents debug) {
    if (index >= devices.size()) {
      return CompletableFuture.completedFuture(null);
    }
    DeviceKey device = devices.get(index);
    return gateway
        .commands()
        .takeDownlink(device)
        .thenComposeAsync(
            reply -> {
              if (reply instanceof Reply.Downlink waiting && !waiting.nothingWaits()) {
                return encodeAndConfirm(settings, device, waiting, debug);
              }
              return downlink(settings, devices, index + 1, debug);
            },
            SAME_THREAD);
  }

  private CompletionStage<EncodedDownlink> encodeAndConfirm(
      Integration.Settings settings, DeviceKey device, Reply.Downlink waiting, DebugEvents debug) {
    DownlinkConverter converter;
    try {
      converter = converters.downlink(settings.downlinkScript());
    } catch (ConverterException e) {
      debug.record("downlink", () -> null, () -> null, e.getMessage());
      return CompletableFuture.completedFuture(null);
    }
    DownlinkMessage message = DownlinkMessage.of(device, waiting);
    JsonNode msg = message.msg();
    return converters
        .encode(
            converter,
            msg,
            message.metadata(),
            message.msgType(),
            Map.of("integrationName", settings.name()))
        .handle(
            (encoded, failure) -> {
              if (failure != null) {
                // The uplink is recorded; the change stays pending for the next one.
                debug.record(
                    "downlink", msg::toString, () -> null, Failures.cause(failure).getMessage());
                return CompletableFuture.<EncodedDownlink>completedFuture(null);
              }
              debug.record("downlink", msg::toString, () -> encodedJson(encoded), null);
              return confirm(device, waiting).thenApply(confirmed -> encoded);
            })
        .thenComposeAsync(Function.identity(), SAME_THREAD);
  }

  /** Recorded as delivered before it is answered: a lost response loses it (at most once). */
  private CompletionStage<Reply> confirm(DeviceKey device, Reply.Downlink waiting) {
    if (waiting.attributes() != null) {
      return gateway.commands().confirmAttributesDelivered(device, waiting.attributesVersion());
    }
    return waiting.delta() != null
        ? gateway.commands().confirmDeltaDelivered(device, waiting.delta().version())
        : gateway.commands().confirmDelivered(device, waiting.command().commandId());
  }

  // ---- helpers ----

  private UplinkResult checkSecurityHeaders(
      Integration.Settings settings, Map<String, String> headers) {
    for (Map.Entry<String, String> expected : settings.securityHeaders().entrySet()) {
      String presented = headers.get(expected.getKey());
      if (presented == null) {
        return new UplinkResult.MissingHeader(expected.getKey());
      }
      byte[] wanted = secretBox.decrypt(expected.getValue()).getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(wanted, presented.getBytes(StandardCharsets.UTF_8))) {
        return new UplinkResult.WrongHeader(expected.getKey());
      }
    }
    return null;
  }

  private static Map<String, String> lowerCaseNames(Map<String, String> headers) {
    Map<String, String> lower = new LinkedHashMap<>();
    headers.forEach((name, value) -> lower.put(name.toLowerCase(Locale.ROOT), value));
    return lower;
  }

  private static IntegrationReply compileError(IntegrationSpec spec) {
    try {
      UplinkConverter.compile(spec.uplinkScript(), ScriptLimits.DEFAULT);
      if (spec.downlinkScript() != null) {
        DownlinkConverter.compile(spec.downlinkScript(), ScriptLimits.DEFAULT);
      }
      return null;
    } catch (ConverterException e) {
      return new IntegrationReply.Rejected(
          Rejection.INVALID, "Converter script: " + e.getMessage());
    }
  }

  /** Plain header values of {@code spec} encrypted, or {@code stored} when the spec gives none. */
  private Integration.Settings settings(
      String org, String id, IntegrationSpec spec, Map<String, String> stored) {
    Map<String, String> headers = stored;
    if (spec.securityHeaders() != null) {
      headers = new LinkedHashMap<>();
      for (Map.Entry<String, String> header : spec.securityHeaders().entrySet()) {
        headers.put(header.getKey().toLowerCase(Locale.ROOT), secretBox.encrypt(header.getValue()));
      }
    }
    return new Integration.Settings(
        org,
        id,
        spec.name(),
        spec.type(),
        spec.uplinkScript(),
        spec.downlinkScript(),
        spec.allowCreateDevices(),
        headers,
        spec.replaceNoContentWithOk(),
        spec.debug());
  }

  /** Asks organization {@code org}'s integration {@code id}; NOT_FOUND when it has none. */
  private CompletionStage<IntegrationReply> askIntegration(
      String org, String id, Function<ActorRef<IntegrationReply>, Integration.Command> command) {
    return withRoutingKey(org, id, routingKey -> ask(integration(routingKey), command));
  }

  private CompletionStage<IntegrationReply> withRoutingKey(
      String org, String id, Function<String, CompletionStage<IntegrationReply>> inner) {
    return ask(directory(org), IntegrationDirectory.TABLE.lookup())
        .thenComposeAsync(
            reply -> {
              String routingKey = ((IntegrationReply.Directory) reply).routingKeys().get(id);
              return routingKey == null
                  ? CompletableFuture.completedFuture(
                      new IntegrationReply.Rejected(
                          Rejection.NOT_FOUND,
                          "No integration '" + id + "' in organization " + org))
                  : inner.apply(routingKey);
            },
            SAME_THREAD);
  }

  private static String decodedJson(List<DecodedUplink> uplinks) {
    return JSON.valueToTree(uplinks).toString();
  }

  private static String encodedJson(EncodedDownlink encoded) {
    return JSON.valueToTree(encoded).toString();
  }

  private EntityRef<Integration.Command> integration(String routingKey) {
    return sharding.entityRefFor(Integration.ENTITY_KEY, routingKey);
  }

  private EntityRef<ClaimEntity.Command> directory(String org) {
    return sharding.entityRefFor(IntegrationDirectory.TABLE.entityKey(), org);
  }

  private <C> CompletionStage<IntegrationReply> ask(
      EntityRef<C> entity, Function<ActorRef<IntegrationReply>, C> command) {
    return entity.ask(command::apply, askTimeout);
  }
}
