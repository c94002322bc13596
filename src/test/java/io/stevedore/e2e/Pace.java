package io.stevedore.e2e;

/**
 * Holds a stream of bytes to a rate from the moment it is made: {@link #after} sleeps as long as
 * the stream ran ahead of it. Throttling, not synchronisation.
 */
final class Pace {
  private final long bytesPerSecond;
  private final long startBytes;
  private final long startNanos = System.nanoTime();

  /** A pace of {@code bytesPerSecond} for the bytes past {@code startBytes} of a running count. */
  Pace(long bytesPerSecond, long startBytes) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("a pace needs a positive rate, got " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.startBytes = startBytes;
  }

  /** Waits until {@code total} bytes are due. */
  void after(long total) {
    long dueNanos = (total - startBytes) * 1_000_000_000L / bytesPerSecond;
    long aheadNanos = dueNanos - (System.nanoTime() - startNanos);
    if (aheadNanos > 0) {
      try {
        Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
