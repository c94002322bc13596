package io.stevedore.archive;

import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * A blob's bytes from the archive, hashed as they pass. The read that reaches the end verifies the
 * digest and throws {@link BlobDigestMismatchException} instead of returning the last bytes, so
 * damaged content never reads as complete; every later read throws again.
 */
final class VerifyingBlobStream extends BoundedInputStream {
  private final Digest expected;
  private final MessageDigest hasher;
  private Digest actual;

  VerifyingBlobStream(Digest expected, long size, InputStream entry) {
    MessageDigest hasher = expected.algorithm().newHasher();
    super(new DigestInputStream(entry, hasher), size);
    this.expected = expected;
    this.hasher = hasher;
  }

  @Override
  IOException endedEarly() {
    // The tar entry stream reports truncation itself; this would be a size disagreement.
    return new InvalidArchiveException("blob " + expected + " ends early");
  }

  @Override
  void reachedEnd() throws BlobDigestMismatchException {
    verify();
  }

  @Override
  void readAtEnd() throws BlobDigestMismatchException {
    verify();
  }

  private void verify() throws BlobDigestMismatchException {
    if (actual == null) {
      actual = Digest.of(expected.algorithm(), hasher.digest());
    }
    if (!actual.equals(expected)) {
      throw new BlobDigestMismatchException(expected, actual);
    }
  }
}
