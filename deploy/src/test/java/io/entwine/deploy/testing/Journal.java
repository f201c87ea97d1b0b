package io.entwine.deploy.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.deploy.testing.Fixtures.Device;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a twin's events straight from the journal table ({@code messages}), to check what was
 * acknowledged was really written. An event's payload bytes appear verbatim in its serialized form
 * (CBOR byte string), so a unique marker in each payload identifies it.
 */
public final class Journal {
  private Journal() {}

  public static String persistenceId(Device device) {
    return "DeviceTwin|" + device.org() + "/" + device.type() + "/" + device.id();
  }

  /** All serialized events of the device's twin, concatenated (Latin-1 keeps every byte). */
  public static String serializedEvents(CqlSession session, String keyspace, Device device) {
    return serializedEvents(session, keyspace, persistenceId(device));
  }

  /** All serialized events of one persistent entity, concatenated (Latin-1 keeps every byte). */
  public static String serializedEvents(CqlSession session, String keyspace, String persistenceId) {
    StringBuilder all = new StringBuilder();
    for (long partition = 0; ; partition++) {
      var rows =
          session
              .execute(
                  "SELECT event FROM "
                      + keyspace
                      + ".messages WHERE persistence_id = ? AND partition_nr = ?",
                  persistenceId,
                  partition)
              .all();
      if (rows.isEmpty()) {
        return all.toString();
      }
      for (Row row : rows) {
        ByteBuffer event = row.getByteBuffer("event");
        byte[] bytes = new byte[event.remaining()];
        event.get(bytes);
        all.append(new String(bytes, StandardCharsets.ISO_8859_1)).append('\n');
      }
    }
  }

  /** The markers that no event of the device's twin contains. */
  public static Set<String> missing(
      CqlSession session, String keyspace, Device device, Collection<String> markers) {
    String events = serializedEvents(session, keyspace, device);
    Set<String> missing = new TreeSet<>();
    for (String marker : markers) {
      if (!events.contains(marker)) {
        missing.add(marker);
      }
    }
    return missing;
  }
}
