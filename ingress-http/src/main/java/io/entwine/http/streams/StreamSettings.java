package io.entwine.http.streams;

import com.typesafe.config.Config;
import io.entwine.config.ConfigRecords;
import io.entwine.config.ConfigRecords.Key;
import java.time.Duration;

/**
 * Settings of the application streams from {@code entwine.streams}.
 *
 * @param heartbeat a comment (SSE) after this long without a message
 * @param buffer live messages that may wait for a slow client before its stream overflows
 * @param tokenTtl how long a stream token is valid
 * @param maxResumeAge how far back a stream can resume
 * @param commandResponseTimeout the longest a WebSocket {@code command} waits for the response
 */
public record StreamSettings(
    Duration heartbeat,
    int buffer,
    Duration tokenTtl,
    Duration maxResumeAge,
    @Key("max-command-response-timeout") Duration commandResponseTimeout) {

  public static StreamSettings from(Config root) {
    return ConfigRecords.read(root, "entwine.streams", StreamSettings.class);
  }
}
