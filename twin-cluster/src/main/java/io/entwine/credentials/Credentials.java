package io.entwine.credentials;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's credential services: the slow hasher and the verification cache, with slow hashes
 * running on their own dispatcher so they never stall actors or the HTTP server.
 */
public final class Credentials implements Extension {
  private static final Logger log = LoggerFactory.getLogger(Credentials.class);

  private final VerifiedSecrets verifiedSecrets;
  private final SecretBox secretBox;

  private Credentials(ActorSystem<?> system) {
    Config config = system.settings().config().getConfig("entwine.credentials");
    SecretHasher hasher = new SecretHasher(config.getInt("pbkdf2-iterations"));
    this.verifiedSecrets =
        new VerifiedSecrets(
            hasher,
            system
                .dispatchers()
                .lookup(DispatcherSelector.fromConfig("entwine.credentials.slow-hash-dispatcher")),
            config.getLong("verified-cache-size"),
            config.getLong("failed-cache-size"),
            config.getInt("max-pending-hashes"));
    this.secretBox = secretBox(config.getString("secret-key"));
  }

  /**
   * The cluster key from {@code entwine.credentials.secret-key}. Without one (entity and route
   * tests), a key for this process only: secrets encrypted with it are unreadable after a restart.
   * {@code Main} sets a key kept under ENTWINE_DATA_DIR when the environment gives none.
   */
  private static SecretBox secretBox(String base64Key) {
    if (base64Key.isBlank()) {
      log.warn(
          "No entwine.credentials.secret-key (ENTWINE_SECRET_KEY): using a key of this process"
              + " only; encrypted device secrets will not survive a restart");
      return SecretBox.fromBase64(SecretBox.newKey());
    }
    return SecretBox.fromBase64(base64Key);
  }

  /** Encrypts and decrypts secrets that must stay usable, such as Tencent PSKs. */
  public SecretBox secretBox() {
    return secretBox;
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
