package io.entwine.http.streams;

import com.typesafe.config.Config;
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
    Duration commandResponseTimeout) {

  public static StreamSettings from(Config root) {
    Config config = root.getConfig("entwine.streams");
    return new StreamSettings(
        config.getDuration("heartbeat"),
        config.getInt("buffer"),
        config.getDuration("token-ttl"),
        config.getDuration("max-resume-age"),
        config.getDuration("max-command-response-timeout"));
  }
}
