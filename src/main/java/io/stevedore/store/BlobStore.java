package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Content-addressed blob bytes, kept in fixed-size chunks so ranges and followers of a running fill
 * read exactly the chunks they need. A blob is visible to {@link #find} only once a writer
 * committed it, which the cache does only after its digest and size were verified.
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

  /** Removes a blob and its chunks, in one atomic write. */
  void delete(Digest digest);

  /**
   * Records when blobs were last served. Access times are collected in memory and written in
   * batches, not once per read: serving stays a pure read.
   */
  void touch(Map<Digest, Instant> accesses);

  /** Every committed blob with its size and last access (its commit time if never served). */
  List<StoredBlob> list();

  /** Gives the disk space of deleted blobs back to the file system (compaction); slow. */
  void reclaim();
}
