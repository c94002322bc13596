package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Content-addressed blob bytes, written and read in fixed-size chunks so ranges and followers of a
 * running fill read exactly the chunks they need. A blob is visible to {@link #find} only once a
 * writer committed it, which the cache does only after its digest and size were verified.
 */
public interface BlobStore {

  /** Every chunk but a blob's last holds exactly this many bytes. */
  int chunkSize();

  /** A committed blob, if stored. */
  Optional<BlobInfo> find(Digest digest);

  /**
   * Starts writing a blob. Any earlier partial chunks of the same digest are discarded. The blob
   * stays invisible to {@link #find} until {@link BlobWriter#commit}.
   */
  BlobWriter begin(Digest digest);

  /**
   * Reads chunk {@code index} of a committed blob or of one being written into {@code buffer} (at
   * least {@link #chunkSize()} long), and returns how many bytes it holds.
   *
   * @throws IllegalStateException when the chunk is not stored
   */
  int readChunk(Digest digest, long index, byte[] buffer);

  /**
   * Writes the first {@code size} bytes of a stored blob to {@code out}, chunk by chunk.
   *
   * @throws IllegalStateException when a chunk is missing
   */
  default void copyTo(Digest digest, long size, OutputStream out) throws IOException {
    byte[] buffer = new byte[(int) Math.min(chunkSize(), Math.max(size, 1))];
    long written = 0;
    for (long index = 0; written < size; index++) {
      int length = readChunk(digest, index, buffer);
      if (length == 0) {
        throw new IllegalStateException("chunk " + index + " of " + digest + " is empty");
      }
      out.write(buffer, 0, (int) Math.min(length, size - written));
      written += length;
    }
  }

  /**
   * Removes a blob, its record first: a crash in between leaves bytes without a record, which the
   * next open deletes, never a record without its bytes.
   */
  void delete(Digest digest);

  /**
   * Records when blobs were last served. Access times are collected in memory and written in
   * batches, not once per read: serving stays a pure read.
   */
  void touch(Map<Digest, Instant> accesses);

  /** Every committed blob with its size and last access (its commit time if never served). */
  List<StoredBlob> list();

  /**
   * Compacts what deleting blobs left in the store's records; the space of their bytes is free as
   * soon as they are deleted.
   */
  void reclaim();
}
