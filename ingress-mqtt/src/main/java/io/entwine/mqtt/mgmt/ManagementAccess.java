package io.entwine.mqtt.mgmt;

import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ManagedDeviceProtocol;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.protocol.Reply;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a managed device's MQTT connection needs of the cluster: its {@code ManagedDevice} entity
 * and an address where the entity's requests for the device arrive. Production is {@link
 * PekkoManagementAccess}.
 */
public interface ManagementAccess {

  /** Opens the management side of {@code device}'s connection; requests go to {@code toDevice}. */
  Session open(DeviceKey device, Consumer<ToDevice> toDevice);

  /** One connection's management side. */
  interface Session {
    /** Where the device's entity sends its requests (given with each manage request). */
    ActorRef<ToDevice> address();

    /** Asks the device's {@code ManagedDevice} entity. */
    CompletionStage<Reply> ask(Function<ActorRef<Reply>, ManagedDeviceProtocol.Command> command);

    /** The connection closed. */
    void close();
  }
}
