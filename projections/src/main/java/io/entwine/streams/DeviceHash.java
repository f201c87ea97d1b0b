package io.entwine.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A device's name in a {@link StreamPosition}: the first 64 bits of the SHA-256 of its entity id,
 * the same on every node and in every release, 8 bytes where the id takes up to 100. Two devices of
 * an organization share one with a probability of about n²/2⁶⁵ (n devices): negligible, and stated
 * in docs/adr/0061.
 */
public final class DeviceHash {
  private DeviceHash() {}

  public static long of(String entityId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(entityId.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
