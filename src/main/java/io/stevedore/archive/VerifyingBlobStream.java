package io.stevedore.archive;

import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A blob's bytes from the archive, hashed as they pass. The read that reaches the end verifies the
 * digest and throws {@link BlobDigestMismatchException} instead of returning the last bytes, so
 * damaged content never reads as complete; every later read throws again.
 */
final class VerifyingBlobStream extends InputStream {
  private final Digest expected;
  private final InputStream entry;
  private final MessageDigest hasher;
  private long remaining;
  private Digest actual;

  VerifyingBlobStream(Digest expected, long size, InputStream entry) {
    this.expected = expected;
    this.entry = entry;
    this.hasher = expected.algorithm().newHasher();
    this.remaining = size;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining == 0) {
      verify();
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = entry.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      // The tar entry stream reports truncation itself; this would be a size disagreement.
      throw new InvalidArchiveException("blob " + expected + " ends early");
    }
    hasher.update(b, off, n);
    remaining -= n;
    if (remaining == 0) {
      verify();
    }
    return n;
  }

  /** Reads what the consumer left, then verifies; throws on a mismatch even if reported before. */
  void finish() throws IOException {
    byte[] buffer = new byte[16384];
    while (read(buffer, 0, buffer.length) >= 0) {
      // Draining so the whole blob is hashed.
    }
  }

  private void verify() throws BlobDigestMismatchException {
    if (actual == null) {
      actual = Digest.of(expected.algorithm(), hasher.digest());
    }
    if (!actual.equals(expected)) {
      throw new BlobDigestMismatchException(expected, actual);
    }
  }

  @Override
  public void close() {
    // The archive goes on after this blob; the reader drains and verifies it.
  }
}
