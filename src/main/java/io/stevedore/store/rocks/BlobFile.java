package io.stevedore.store.rocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One blob file being written. With {@code storage.direct-writes} on, whole blocks go to the disk
 * directly (O_DIRECT), from a block-aligned buffer outside the heap; a blob's tail, which ends off
 * a block boundary, goes through the page cache. Where the file system refuses direct I/O (some
 * do), every write goes through the page cache.
 *
 * <p>Why direct: a cold fill writes every byte of a blob once, and through the page cache each
 * write first takes a fresh page. On this VM (its host takes back free pages) that page costs a
 * host fault, and the copy into it was 33% of the CPU samples of a cold 335 MB download (`perf
 * record`); a direct write hands the disk the buffer instead. But it waits for the disk: on a quiet
 * machine a cold 335 MB download ran at 421 MB/s with direct writes against 500 without, for the
 * same CPU, so the page cache stays the default. The page cache still serves the blob's readers
 * afterwards, and the fill's own readers copy its chunks from memory meanwhile.
 */
final class BlobFile implements AutoCloseable {
  private final BlobFiles files;
  private final FileChannel buffered;
  private FileChannel direct;
  private ByteBuffer aligned;

  /**
   * @param buffered the file, opened for writing through the page cache
   * @param direct the same file opened with O_DIRECT, or null where the file system refuses it
   */
  BlobFile(BlobFiles files, FileChannel buffered, FileChannel direct) {
    this.files = files;
    this.buffered = buffered;
    this.direct = direct;
  }

  /** Writes all of {@code data[0, length)} at {@code position}. */
  void write(long position, byte[] data, int length) throws IOException {
    int block = files.blockSize();
    if (direct != null && position % block == 0 && length % block == 0) {
      try {
        writeDirect(position, data, length);
        return;
      } catch (IOException e) {
        // EINVAL: the file system took O_DIRECT at open but not for a write. Nothing of this
        // write happened; the page cache takes it and every later one.
        if (!String.valueOf(e.getMessage()).contains("Invalid argument")) {
          throw e;
        }
        files.refuseDirect(e);
        closeDirect();
      }
    }
    ByteBuffer source = ByteBuffer.wrap(data, 0, length);
    while (source.hasRemaining()) {
      buffered.write(source, position + source.position());
    }
  }

  private void writeDirect(long position, byte[] data, int length) throws IOException {
    if (aligned == null || aligned.capacity() < length) {
      files.giveAligned(aligned);
      aligned = files.takeAligned(length);
    }
    aligned.clear().put(data, 0, length).flip();
    while (aligned.hasRemaining()) {
      direct.write(aligned, position + aligned.position());
    }
  }

  /** Whether whole blocks are written to the disk directly, without the page cache. */
  boolean direct() {
    return direct != null;
  }

  /**
   * Puts the file's bytes, and what it takes to read them, on disk: fdatasync syncs the file, not
   * the descriptor, so one call covers the direct writes too (and the disk's own cache).
   */
  void force() throws IOException {
    buffered.force(false);
  }

  @Override
  public void close() throws IOException {
    try (FileChannel closing = buffered) {
      closeDirect();
    }
  }

  private void closeDirect() throws IOException {
    files.giveAligned(aligned);
    aligned = null;
    if (direct != null) {
      FileChannel closing = direct;
      direct = null;
      closing.close();
    }
  }
}
