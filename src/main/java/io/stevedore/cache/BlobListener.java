package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.RepositoryName;

/**
 * Hears what happens to blobs: a fill starting, storing, committing or failing, and eviction. This
 * is how eviction, metrics and the status page attach to the cache without the request path knowing
 * them. Called on the thread that did it (a fill's own thread, or the evicting one): keep it quick.
 * A listener that throws is logged and skipped; the fill goes on.
 */
public interface BlobListener {
  /** A fill of {@code digest} from {@code upstream} (its name) for {@code repository} began. */
  default void started(Digest digest, String upstream, RepositoryName repository) {}

  /**
   * {@code stored} bytes of the fill are in the store; {@code size} is the blob's size, -1 while
   * the upstream has not said it.
   */
  default void progressed(Digest digest, long stored, long size) {}

  /** The upstream connection broke, and the fill asks again from byte {@code at}. */
  default void resumed(Digest digest, long at) {}

  /**
   * The upstream sent bytes that are not the blob: another digest, more or fewer bytes than it
   * announced. The fill fails ({@link #failed} follows).
   */
  default void mismatched(Digest digest) {}

  /** The fill verified and committed the blob, {@code size} bytes. */
  default void committed(Digest digest, long size) {}

  /** The fill gave up; nothing of it is stored. */
  default void failed(Digest digest, RuntimeException cause) {}

  /** Eviction removed a stored blob of {@code size} bytes. */
  default void evicted(Digest digest, long size) {}
}
