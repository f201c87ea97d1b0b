package io.entwine.credentials;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's credential services: the slow hasher and the verification cache, with slow hashes
 * running on their own dispatcher so they never stall actors or the HTTP server.
 */
public final class Credentials implements Extension {
  private final VerifiedSecrets verifiedSecrets;

  private Credentials(ActorSystem<?> system) {
    Config config = system.settings().config().getConfig("entwine.credentials");
    SecretHasher hasher = new SecretHasher(config.getInt("pbkdf2-iterations"));
    this.verifiedSecrets =
        new VerifiedSecrets(
            hasher,
            system
                .dispatchers()
                .lookup(DispatcherSelector.fromConfig("entwine.credentials.slow-hash-dispatcher")),
            config.getLong("verified-cache-size"));
  }

  public VerifiedSecrets verifiedSecrets() {
    return verifiedSecrets;
  }

  public SecretHasher hasher() {
    return verifiedSecrets.hasher();
  }

  public static Credentials get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private static final class Id extends ExtensionId<Credentials> {
    static final Id INSTANCE = new Id();

    @Override
    public Credentials createExtension(ActorSystem<?> system) {
      return new Credentials(system);
    }
  }
}
