package io.entwine.twin;

import com.typesafe.config.ConfigFactory;
import io.entwine.credentials.SecretHasher;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** One twin under the event-sourced behaviour test kit, as the twin's tests set it up. */
final class TwinFixture {
  /** Few rounds: the tests hash on every registration. */
  static final SecretHasher HASHER = new SecretHasher(1000);

  static final String TOKEN = "token-123456";

  private TwinFixture() {}

  /** A test system with the in-memory journal and snapshot store of the behaviour test kit. */
  static ActorTestKit startSystem(String name) {
    return ActorTestKit.create(
        name, EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  /**
   * A twin of {@code device}, registered with {@link #TOKEN}; its live messages go to {@code
   * publishLive} and its commands to other twins to {@code tellTwin}.
   */
  static EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> registeredTwin(
      ActorTestKit testKit,
      DeviceKey device,
      TwinSettings settings,
      Consumer<LiveMessage> publishLive,
      BiConsumer<DeviceKey, TwinCommand> tellTwin) {
    EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            DeviceTwin.create(
                device.entityId(),
                settings,
                new VerifiedSecrets(HASHER, Runnable::run, 100),
                publishLive,
                tellTwin));
    twin.clear();
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.Register(
                HASHER.hash(TOKEN), null, null, "a-myorg-key", "apikey", Instant.now(), replyTo));
    return twin;
  }

  static EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> registeredTwin(
      ActorTestKit testKit, DeviceKey device, TwinSettings settings) {
    return registeredTwin(testKit, device, settings, message -> {}, (key, command) -> {});
  }
}
