package io.entwine.http.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.common.ApiResponses;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import io.entwine.streams.ApplicationStreams;
import io.entwine.streams.Delivery;
import io.entwine.streams.StreamFilter;
import io.entwine.streams.StreamPosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.MergeHub;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One WebSocket of an application (docs/api.md, "WebSocket"): JSON messages {@code subscribe} /
 * {@code unsubscribe} (a subscription id and the filters of the SSE stream), {@code command} (send
 * a device command; its acceptance and the device's response follow) and {@code ping}. Every
 * subscription is a stream of its own into the socket, with its own bounded buffer; the socket's
 * closing ends them all.
 */
final class WebSocketStreams {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_SUBSCRIPTIONS = 16;
  private static final int MAX_MESSAGE_CHARS = 256 * 1024;
  private static final long STRICT_TIMEOUT_MILLIS = 5_000;

  private final String org;
  private final ApplicationStreams streams;
  private final StreamSettings settings;
  private final TwinGateway gateway;
  private final Materializer materializer;
  private final Map<String, UniqueKillSwitch> subscriptions = new ConcurrentHashMap<>();
  private Sink<Message, NotUsed> out;

  WebSocketStreams(
      String org,
      ApplicationStreams streams,
      StreamSettings settings,
      TwinGateway gateway,
      Materializer materializer) {
    this.org = org;
    this.streams = streams;
    this.settings = settings;
    this.gateway = gateway;
    this.materializer = materializer;
  }

  Flow<Message, Message, NotUsed> flow() {
    Pair<Sink<Message, NotUsed>, Source<Message, NotUsed>> hub =
        MergeHub.of(Message.class, 16).preMaterialize(materializer);
    out = hub.first();
    Sink<Message, CompletionStage<Done>> in =
        Flow.of(Message.class)
            .mapAsync(1, this::text)
            .toMat(Sink.foreach(this::handle), Keep.right());
    Source<Message, NotUsed> outgoing =
        hub.second()
            .watchTermination(
                (notUsed, done) -> {
                  done.whenComplete((d, failure) -> stopAll());
                  return NotUsed.getInstance();
                });
    return Flow.fromSinkAndSourceCoupled(in, outgoing);
  }

  private CompletionStage<String> text(Message message) {
    if (!message.isText()) {
      message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
      return CompletableFuture.completedFuture("");
    }
    return message
        .asTextMessage()
        .toStrict(STRICT_TIMEOUT_MILLIS, materializer)
        .thenApply(TextMessage::getStrictText);
  }

  private void handle(String text) {
    JsonNode request;
    try {
      request = text.length() > MAX_MESSAGE_CHARS ? null : JSON.readTree(text);
    } catch (IOException e) {
      request = null;
    }
    if (request == null || !request.isObject()) {
      send(
          error(
              null, 400, "Send JSON objects with a 'type': subscribe, unsubscribe, command, ping"));
      return;
    }
    String id = request.path("id").isTextual() ? request.path("id").asText() : null;
    switch (request.path("type").asText("")) {
      case "subscribe" -> subscribe(id, request);
      case "unsubscribe" -> unsubscribe(id);
      case "command" -> command(id, request);
      case "ping" -> send(reply("pong", id));
      default -> send(error(id, 400, "Unknown 'type'; subscribe, unsubscribe, command or ping"));
    }
  }

  private void subscribe(String id, JsonNode request) {
    if (id == null || id.isEmpty() || id.length() > 64) {
      send(error(id, 400, "A subscription needs an 'id' of 1 to 64 characters"));
      return;
    }
    if (subscriptions.containsKey(id)) {
      send(error(id, 409, "Subscription '" + id + "' exists"));
      return;
    }
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      send(error(id, 429, "At most " + MAX_SUBSCRIPTIONS + " subscriptions per WebSocket"));
      return;
    }
    StreamFilter filter;
    StreamPosition from;
    try {
      filter = StreamFilter.fromJson(request);
      Optional<String> lastId = textField(request, "lastEventId");
      from =
          lastId.isEmpty()
              ? streams.now()
              : streams.resumeFrom(lastId.get(), settings.maxResumeAge());
    } catch (StreamFilter.InvalidFilter e) {
      send(error(id, 400, e.getMessage()));
      return;
    }
    UniqueKillSwitch stop =
        streams.stream(org, filter, from, settings.buffer(), settings.heartbeat())
            .filter(delivery -> !(delivery instanceof Delivery.Heartbeat))
            .map(delivery -> (Message) TextMessage.create(message(id, delivery)))
            .viaMat(KillSwitches.single(), Keep.right())
            .watchTermination(
                (kill, done) -> {
                  done.whenComplete((d, failure) -> subscriptions.remove(id, kill));
                  return kill;
                })
            .to(out)
            .run(materializer);
    subscriptions.put(id, stop);
    send(reply("subscribed", id));
  }

  private static Optional<String> textField(JsonNode request, String name) {
    JsonNode value = request.path(name);
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    return Optional.of(value.asText());
  }

  private void unsubscribe(String id) {
    UniqueKillSwitch stop = id == null ? null : subscriptions.remove(id);
    if (stop == null) {
      send(error(id, 404, "No subscription '" + id + "'"));
      return;
    }
    stop.shutdown();
    send(reply("unsubscribed", id));
  }

  /** Queues a command; tells it accepted (or refused), then the device's response or a timeout. */
  private void command(String id, JsonNode request) {
    String type = request.path("typeId").asText(null);
    String device = request.path("deviceId").asText(null);
    String name = request.path("commandName").asText(null);
    String format = request.path("format").asText(Payloads.JSON);
    Optional<String> invalid =
        Ids.checkDevicePart("device type", type)
            .or(() -> Ids.checkDevicePart("device id", device))
            .or(() -> Ids.checkEventId(name).map(m -> m.replace("event id", "commandName")))
            .or(() -> Ids.checkEventId(format).map(m -> m.replace("event id", "format")));
    if (invalid.isPresent()) {
      send(error(id, 400, invalid.get()));
      return;
    }
    long timeout = request.path("timeout").asLong(30);
    if (timeout < 1 || timeout > settings.commandResponseTimeout().toSeconds()) {
      send(
          error(
              id,
              400,
              "'timeout' must be 1 to "
                  + settings.commandResponseTimeout().toSeconds()
                  + " seconds"));
      return;
    }
    byte[] sent = commandPayload(request);
    Payloads.Inspection inspection = sent == null ? null : Payloads.inspect(format, sent);
    if (inspection == null || !inspection.isValid()) {
      send(
          error(
              id,
              400,
              inspection == null
                  ? "'data' (JSON) or 'payload' (base64) is required"
                  : inspection.error()));
      return;
    }
    DeviceKey key = new DeviceKey(org, type, device);
    String commandId = UUID.randomUUID().toString();
    // the wait first: a device that answers at once finds the application waiting
    CompletionStage<Reply> response =
        gateway.commands().awaitCommandResponse(key, commandId, Duration.ofSeconds(timeout));
    gateway
        .commands()
        .queue(key, commandId, name, format, inspection.payload(), null)
        .whenComplete(
            (reply, failure) -> {
              if (reply instanceof Reply.CommandAccepted) {
                send(commandStatus(id, commandId, "queued"));
                response.whenComplete((answer, late) -> send(responded(id, commandId, answer)));
              } else {
                send(refused(id, reply, failure));
              }
            });
  }

  private static byte[] commandPayload(JsonNode request) {
    if (request.has("data")) {
      return request.get("data").toString().getBytes(StandardCharsets.UTF_8);
    }
    if (request.path("payload").isTextual()) {
      try {
        return Base64.getDecoder().decode(request.get("payload").asText());
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  private static String responded(String id, String commandId, Reply answer) {
    if (answer instanceof Reply.CommandResponse response) {
      ObjectNode message = JSON.createObjectNode();
      message.put("type", "command");
      message.put("id", id);
      message.put("commandId", commandId);
      message.put("status", "responded");
      ObjectNode body = message.putObject("response");
      body.put("status", response.status());
      body.put("format", response.format());
      body.put("payload", Base64.getEncoder().encodeToString(response.payload()));
      return message.toString();
    }
    return commandStatus(id, commandId, "timedOut");
  }

  private static String refused(String id, Reply reply, Throwable failure) {
    if (reply instanceof Reply.Rejected rejected) {
      return error(id, ApiResponses.statusOf(rejected.reason()).intValue(), rejected.message());
    }
    return error(id, 503, "The command could not be queued; retry later");
  }

  private static String commandStatus(String id, String commandId, String status) {
    ObjectNode message = JSON.createObjectNode();
    message.put("type", "command");
    message.put("id", id);
    message.put("commandId", commandId);
    message.put("status", status);
    return message.toString();
  }

  private static String message(String subscription, Delivery delivery) {
    ObjectNode message = JSON.createObjectNode();
    message.put("subscription", subscription);
    if (delivery instanceof Delivery.Message m) {
      message.put("type", "message");
      message.put("id", m.id());
      message.put("event", m.message().kind().wireName());
      message.set("data", m.message().data());
    } else if (delivery instanceof Delivery.Overflow o) {
      message.put("type", "overflow");
      message.put("lastEventId", o.lastId());
    }
    return message.toString();
  }

  private static String reply(String type, String id) {
    ObjectNode message = JSON.createObjectNode();
    message.put("type", type);
    if (id != null) {
      message.put("id", id);
    }
    return message.toString();
  }

  private static String error(String id, int status, String text) {
    ObjectNode message = JSON.createObjectNode();
    message.put("type", "error");
    if (id != null) {
      message.put("id", id);
    }
    message.put("status", status);
    message.put("message", text);
    return message.toString();
  }

  private void send(String json) {
    Source.single((Message) TextMessage.create(json)).runWith(out, materializer);
  }

  private void stopAll() {
    subscriptions.values().forEach(UniqueKillSwitch::shutdown);
    subscriptions.clear();
  }
}
