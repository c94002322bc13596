package io.stevedore.archive;

import io.stevedore.oci.Digest;

/**
 * A blob's content does not hash to the digest it is named by. Whoever stored bytes of {@link
 * #expected()} from this archive must discard them.
 */
public final class BlobDigestMismatchException extends InvalidArchiveException {
  private final transient Digest expected;
  private final transient Digest actual;

  public BlobDigestMismatchException(Digest expected, Digest actual) {
    super("blob " + expected + " in the archive has digest " + actual + ": it is damaged");
    this.expected = expected;
    this.actual = actual;
  }

  /** The digest the blob is named by, which it failed to match. */
  public Digest expected() {
    return expected;
  }

  /** The digest of the bytes the archive actually holds under that name. */
  public Digest actual() {
    return actual;
  }
}
