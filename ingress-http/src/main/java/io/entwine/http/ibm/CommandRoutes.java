package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.server.HttpSettings;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Commands from applications to devices (API key): {@code POST
 * /api/v0002/application/types/{T}/devices/{ID}/commands/{C}} queues one durably on the device's
 * twin (202), or with {@code ?timeout=S} also waits for the device's response (200, or 504); {@code
 * GET .../commands} lists the pending and recent ones.
 */
public final class CommandRoutes extends ApiDirectives {
  static final int MAX_RESPONSE_TIMEOUT_SECONDS = 300;

  private final TwinGateway gateway;
  private final Authentication authentication;
  private final int maxPayloadBytes;

  public CommandRoutes(TwinGateway gateway, Authentication authentication, HttpSettings settings) {
    this.gateway = gateway;
    this.authentication = authentication;
    this.maxPayloadBytes = settings.maxEventPayloadBytes();
  }

  public record Accepted(String commandId) {}

  public record Response(String commandId, int status, String format, String payload) {}

  public record CommandJson(
      String commandId,
      String command,
      String format,
      String status,
      Instant queuedAt,
      Instant expiresAt,
      Response response) {}

  public Route route() {
    return pathPrefix(
        APPLICATION_DEVICE_PATH.slash("commands"),
        (type, id) -> apiKeyDevice(authentication, type, id, this::commands));
  }

  private Route commands(DeviceKey device) {
    return concat(
        pathEndOrSingleSlash(() -> get(() -> list(device))),
        path(segment(), command -> post(() -> send(device, command))));
  }

  private Route send(DeviceKey device, String command) {
    Optional<String> invalid = Ids.checkEventId(command).map(m -> m.replace("event id", "command"));
    if (invalid.isPresent()) {
      return complete(error(StatusCodes.BAD_REQUEST, invalid.get()));
    }
    return seconds(
        "timeout",
        1,
        MAX_RESPONSE_TIMEOUT_SECONDS,
        timeout ->
            seconds(
                "ttl",
                1,
                Integer.MAX_VALUE,
                ttl ->
                    EventFormats.ofRequest(
                        format -> {
                          Duration wait = timeout.map(Duration::ofSeconds).orElse(null);
                          return withRequestTimeout(
                              wait == null
                                  ? gateway.askTimeout().plusSeconds(5)
                                  : wait.plus(gateway.askTimeout()).plusSeconds(5),
                              () ->
                                  withSizeLimit(
                                      maxPayloadBytes,
                                      () ->
                                          strictEntity(
                                              entity ->
                                                  queue(
                                                      device,
                                                      command,
                                                      format,
                                                      entity,
                                                      ttl.map(Duration::ofSeconds).orElse(null),
                                                      wait))));
                        })));
  }

  private Route queue(
      DeviceKey device,
      String command,
      String format,
      HttpEntity.Strict entity,
      Duration ttl,
      Duration wait) {
    Payloads.Inspection inspection = Payloads.inspect(format, entity.getData().toArray());
    if (!inspection.isValid()) {
      return complete(error(StatusCodes.BAD_REQUEST, inspection.error()));
    }
    byte[] payload = inspection.payload();
    String commandId = UUID.randomUUID().toString();
    // The wait is registered first: a device that answers at once finds the application waiting.
    CompletionStage<Reply> awaited =
        wait == null ? null : gateway.commands().awaitCommandResponse(device, commandId, wait);
    var queued = gateway.commands().queue(device, commandId, command, format, payload, ttl);
    if (wait == null) {
      return completeReply(queued, accepted -> json(StatusCodes.ACCEPTED, new Accepted(commandId)));
    }
    return completeReply(
        queued.thenCompose(
            accepted ->
                accepted instanceof Reply.CommandAccepted
                    ? awaited
                    : java.util.concurrent.CompletableFuture.completedFuture(accepted)),
        response -> json(StatusCodes.OK, response((Reply.CommandResponse) response)));
  }

  private Route list(DeviceKey device) {
    return completeReply(
        gateway.commands().list(device),
        reply -> json(StatusCodes.OK, commands((Reply.CommandList) reply)));
  }

  private static List<CommandJson> commands(Reply.CommandList list) {
    Base64.Encoder b64 = Base64.getEncoder();
    return list.commands().stream()
        .map(
            c ->
                new CommandJson(
                    c.commandId(),
                    c.command(),
                    c.format(),
                    c.status(),
                    c.queuedAt(),
                    c.expiresAt(),
                    c.responseStatus() == null
                        ? null
                        : new Response(
                            c.commandId(),
                            c.responseStatus(),
                            c.responseFormat(),
                            b64.encodeToString(
                                c.responsePayload() == null ? new byte[0] : c.responsePayload()))))
        .toList();
  }

  static Response response(Reply.CommandResponse response) {
    return new Response(
        response.commandId(),
        response.status(),
        response.format(),
        Base64.getEncoder().encodeToString(response.payload()));
  }

  /** An optional whole number of seconds in [min, max] from the query; 400 otherwise. */
  private Route seconds(String name, int min, int max, Function<Optional<Long>, Route> inner) {
    return parameterOptional(
        name,
        value -> {
          if (value.isEmpty()) {
            return inner.apply(Optional.empty());
          }
          try {
            long seconds = Long.parseLong(value.get().strip());
            if (seconds >= min && seconds <= max) {
              return inner.apply(Optional.of(seconds));
            }
          } catch (NumberFormatException e) {
            // answered below
          }
          return complete(
              error(
                  StatusCodes.BAD_REQUEST,
                  "'"
                      + name
                      + "' must be a whole number of seconds from "
                      + min
                      + (max == Integer.MAX_VALUE ? " up" : " to " + max)));
        });
  }
}
