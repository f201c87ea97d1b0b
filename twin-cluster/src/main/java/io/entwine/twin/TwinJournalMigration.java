package io.entwine.twin;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads the twin's journal and snapshots as written before its events and state left {@link
 * DeviceTwin} for files of their own (ADR 0044): the manifest then named the nested class, e.g.
 * {@code io.entwine.twin.DeviceTwin$EventRecorded} and {@code io.entwine.twin.DeviceTwin$State}.
 * Only the class name changed, never a field, so the JSON passes as it is. Bound to each old name
 * in this module's reference.conf ({@code pekko.serialization.jackson.migrations}).
 */
public final class TwinJournalMigration extends JacksonMigration {
  private static final String OLD_PREFIX = "io.entwine.twin.DeviceTwin$";

  @Override
  public int currentVersion() {
    // Above the version of a manifest without one (1), so that old manifests are migrated.
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    if (!className.startsWith(OLD_PREFIX)) {
      return className;
    }
    String simpleName = className.substring(OLD_PREFIX.length());
    return simpleName.equals("State")
        ? TwinState.class.getName()
        : TwinEvent.class.getName() + "$" + simpleName;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
