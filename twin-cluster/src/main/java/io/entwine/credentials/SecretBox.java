package io.entwine.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets that must stay usable (a Tencent PSK is an HMAC key, so it cannot be hashed):
 * AES-256-GCM with the cluster key, a fresh 12-byte IV per secret. The stored form is {@code
 * aes-gcm$base64(iv)$base64(ciphertext+tag)}; a wrong key or a tampered value fails to decrypt.
 */
public final class SecretBox {
  private static final String PREFIX = "aes-gcm";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;

  public SecretBox(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException(
          "The secret key must be 32 bytes (base64 of 32 random bytes), not " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** A key from its base64 text, as {@code ENTWINE_SECRET_KEY} holds it. */
  public static SecretBox fromBase64(String base64Key) {
    return new SecretBox(Base64.getDecoder().decode(base64Key.strip()));
  }

  /** 32 random bytes as base64: a new cluster key. */
  public static String newKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  public String encrypt(String secret) {
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
      return PREFIX + "$" + b64.encodeToString(iv) + "$" + b64.encodeToString(sealed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /** The secret, or an exception when the value was not sealed with this key or was altered. */
  public String decrypt(String sealedSecret) {
    String[] parts = sealedSecret.split("\\$");
    if (parts.length != 3 || !PREFIX.equals(parts[0])) {
      throw new IllegalArgumentException("Not an encrypted secret");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, Base64.getDecoder().decode(parts[1])));
      return new String(
          cipher.doFinal(Base64.getDecoder().decode(parts[2])), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "The secret cannot be decrypted with this node's key (ENTWINE_SECRET_KEY differs?)", e);
    }
  }
}
