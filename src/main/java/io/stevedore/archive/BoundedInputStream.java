package io.stevedore.archive;

import java.io.IOException;
import java.io.InputStream;

/**
 * The next {@code size} bytes of a stream that goes on after them, such as one part of an archive:
 * reads never take more, and an inner stream that ends sooner is a damaged archive, not a short
 * part. Subclasses say what that damage is called and what happens at the end. Closing leaves the
 * inner stream open.
 */
abstract class BoundedInputStream extends InputStream {
  private final InputStream in;
  private long remaining;

  BoundedInputStream(InputStream in, long size) {
    this.in = in;
    this.remaining = size;
  }

  /** The failure to throw when the inner stream ends before {@code size} bytes. */
  abstract IOException endedEarly();

  /** Called by the read that takes the last byte, before it returns them; it may throw instead. */
  abstract void reachedEnd() throws IOException;

  /**
   * Called by every read at the end, before it returns end of stream; it may throw instead. At size
   * zero that is every read, and {@link #reachedEnd} is never called.
   */
  void readAtEnd() throws IOException {}

  final long remaining() {
    return remaining;
  }

  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public final int read(byte[] b, int off, int len) throws IOException {
    if (remaining == 0) {
      readAtEnd();
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw endedEarly();
    }
    remaining -= n;
    if (remaining == 0) {
      reachedEnd();
    }
    return n;
  }

  /** Reads what the consumer left, so that the end is reached and its checks run. */
  final void drain() throws IOException {
    byte[] buffer = new byte[16384];
    while (read(buffer, 0, buffer.length) >= 0) {
      // Only draining: the bytes are not needed.
    }
  }

  @Override
  public void close() {
    // The archive goes on after this part; whoever reads the archive drains it.
  }
}
