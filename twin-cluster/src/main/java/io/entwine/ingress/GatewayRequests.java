package io.entwine.ingress;

import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.registry.Organization;
import io.entwine.twin.TwinCommand;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the request families of {@link TwinGateway} (devices, commands, credentials, organizations)
 * share: the gateway they ask through, one ask per twin or organization, and where their
 * continuations run.
 */
abstract class GatewayRequests {
  // Continuations are trivial; running them on the completing thread avoids the JDK common pool,
  // which on a 2-core host starts a thread per task (DESIGN.md).
  static final Executor SAME_THREAD = Runnable::run;

  final TwinGateway twinGateway;

  GatewayRequests(TwinGateway gateway) {
    this.twinGateway = gateway;
  }

  /** Asks the twin of {@code device}. */
  final CompletionStage<Reply> askTwin(
      DeviceKey device, Function<ActorRef<Reply>, TwinCommand> command) {
    return twinGateway.ask(twinGateway.twin(device), command);
  }

  /** Asks the entity of organization {@code org}. */
  final CompletionStage<Reply> askOrganization(
      String org, Function<ActorRef<Reply>, Organization.Command> command) {
    return twinGateway.ask(twinGateway.organization(org), command);
  }
}
