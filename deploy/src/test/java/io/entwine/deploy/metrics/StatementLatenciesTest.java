package io.entwine.deploy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Statement kinds from the statements pekko-persistence-cassandra and the read models prepare. */
class StatementLatenciesTest {

  @Test
  void namesTheVerbAndTheTableOfEachStatement() {
    assertEquals(
        "insert messages",
        StatementLatencies.kind(
            "INSERT INTO entwine.messages (persistence_id, partition_nr, sequence_nr, timestamp,"
                + " timebucket, writer_uuid, ser_id, ser_manifest, event_manifest, event, tags)"
                + " VALUES ( ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    assertEquals(
        "batch insert tag_views",
        StatementLatencies.kind(
            "batch INSERT INTO entwine.tag_views(tag_name, timebucket, timestamp, tag_pid_sequence_nr,"
                + " event, persistence_id, sequence_nr) VALUES (?,?,?,?,?,?,?)"));
    assertEquals(
        "insert tag_write_progress",
        StatementLatencies.kind(
            "INSERT INTO entwine.tag_write_progress(persistence_id, tag, sequence_nr,"
                + " tag_pid_sequence_nr, offset) VALUES (?, ?, ?, ?, ?)"));
    assertEquals(
        "select tag_views",
        StatementLatencies.kind(
            "SELECT * FROM entwine.tag_views WHERE tag_name = ? AND timebucket = ? AND timestamp >"
                + " ? AND timestamp <= ?"));
    assertEquals(
        "update offset_store",
        StatementLatencies.kind(
            "UPDATE \"offset_store\" SET offset = ? WHERE projection_name = ?"));
    assertEquals(
        "delete messages",
        StatementLatencies.kind(
            "DELETE FROM entwine.messages WHERE persistence_id = ? AND partition_nr = ?"));
    assertEquals("other", StatementLatencies.kind("BEGIN BATCH"));
  }
}
