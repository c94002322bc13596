package io.stevedore.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 under one key: what signs tokens and keys the remembered passwords. */
final class HmacSha256 {
  /** Bytes of a random key: as many as the hash has. */
  static final int KEY_BYTES = 32;

  private final SecretKeySpec key;

  HmacSha256(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /** A key that exists only in this process. */
  static HmacSha256 random() {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return new HmacSha256(key);
  }

  /** The MAC of {@code parts}, joined by a NUL byte so that their boundaries count. */
  byte[] sign(byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          mac.update((byte) 0);
        }
        mac.update(parts[i]);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  /** Whether {@code mac} is the MAC of {@code parts}, in time that does not depend on where not. */
  boolean verify(byte[] mac, byte[]... parts) {
    return MessageDigest.isEqual(mac, sign(parts));
  }
}
