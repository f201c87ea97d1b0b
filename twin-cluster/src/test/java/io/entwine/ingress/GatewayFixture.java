package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** What the gateway tests share: a twin registered directly, and waiting for a reply. */
final class GatewayFixture {
  static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  private GatewayFixture() {}

  /** Registers {@code device}'s twin with {@code secretHash}, as API key {@code registeredBy}. */
  static void registerTwin(
      TwinGateway gateway,
      DeviceKey device,
      String secretHash,
      JsonNode metadata,
      String registeredBy)
      throws Exception {
    Reply reply =
        await(
            gateway.ask(
                gateway.twin(device),
                replyTo ->
                    new TwinCommand.Register(
                        secretHash, metadata, null, registeredBy, "app", T0, replyTo)));
    assertInstanceOf(Reply.DeviceInfo.class, reply);
  }

  static Reply await(CompletionStage<Reply> reply) throws Exception {
    return reply.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
