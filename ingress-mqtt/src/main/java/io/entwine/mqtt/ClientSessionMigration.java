package io.entwine.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads {@link ClientSession} journals and snapshots written while its events and state were nested
 * in it: the manifest named {@code io.entwine.mqtt.ClientSession$Subscribed} where it now names
 * {@link ClientSessionEvent.Subscribed}. Only the names changed, no field, so the JSON passes as it
 * is. Bound to each old name in this module's reference.conf ({@code
 * pekko.serialization.jackson.migrations}).
 */
public final class ClientSessionMigration extends JacksonMigration {
  private static final Map<String, Class<?>> MOVED =
      Map.of(
          "io.entwine.mqtt.ClientSession$SessionClaimed", ClientSessionEvent.SessionClaimed.class,
          "io.entwine.mqtt.ClientSession$Subscribed", ClientSessionEvent.Subscribed.class,
          "io.entwine.mqtt.ClientSession$Unsubscribed", ClientSessionEvent.Unsubscribed.class,
          "io.entwine.mqtt.ClientSession$State", ClientSessionState.class);

  /** Above the version of a manifest without one (1), which is what the old classes wrote. */
  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    Class<?> moved = MOVED.get(className);
    return moved == null ? className : moved.getName();
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
