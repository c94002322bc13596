package io.stevedore.archive;

import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

/**
 * Deterministic bytes of any length, made on the fly: byte {@code p} is {@code PATTERN[p % 65521]}.
 * The prime period is not a multiple of the tar block, so a shifted or misaligned byte shows.
 */
final class GeneratedContent {
  private static final byte[] PATTERN = new byte[65521];

  static {
    new Random(42).nextBytes(PATTERN);
  }

  private final long size;

  GeneratedContent(long size) {
    this.size = size;
  }

  long size() {
    return size;
  }

  /** Writes all bytes to {@code out} in 64 KiB steps. */
  void writeTo(OutputStream out) throws IOException {
    byte[] buffer = new byte[PATTERN.length];
    for (long position = 0; position < size; ) {
      int n = (int) Math.min(buffer.length, size - position);
      fill(position, buffer, n);
      out.write(buffer, 0, n);
      position += n;
    }
  }

  /** The digest, computed by generating the content once. */
  Digest digest() throws IOException {
    MessageDigest hasher = Digest.Algorithm.SHA256.newHasher();
    writeTo(
        new OutputStream() {
          @Override
          public void write(int b) {
            hasher.update((byte) b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            hasher.update(b, off, len);
          }
        });
    return Digest.of(Digest.Algorithm.SHA256, hasher.digest());
  }

  /**
   * Reads {@code in} to its end, comparing each byte with the content.
   *
   * @return how many bytes matched before the end or the first difference
   */
  long matchingPrefix(InputStream in) throws IOException {
    byte[] actual = new byte[PATTERN.length];
    byte[] expected = new byte[PATTERN.length];
    long position = 0;
    for (int n = in.read(actual); n >= 0; n = in.read(actual)) {
      int comparable = (int) Math.max(0, Math.min(n, size - position));
      fill(position, expected, comparable);
      int mismatch = Arrays.mismatch(actual, 0, n, expected, 0, comparable);
      if (mismatch >= 0) {
        return position + mismatch;
      }
      position += n;
    }
    return position;
  }

  private static void fill(long position, byte[] buffer, int length) {
    int start = (int) (position % PATTERN.length);
    int first = Math.min(length, PATTERN.length - start);
    System.arraycopy(PATTERN, start, buffer, 0, first);
    System.arraycopy(PATTERN, 0, buffer, first, length - first);
  }
}
