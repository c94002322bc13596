package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.RepositoryName;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every registered {@link BlobListener}, told in the order they registered. A listener's failure is
 * its own: it never fails a fill or an eviction.
 */
final class BlobListeners implements BlobListener {
  private static final Logger LOG = Logger.getLogger(BlobListeners.class.getName());

  // Registered at wiring time, read on every event: copy-on-write suits that.
  private final List<BlobListener> listeners = new CopyOnWriteArrayList<>();

  void add(BlobListener listener) {
    listeners.add(listener);
  }

  @Override
  public void started(Digest digest, String upstream, RepositoryName repository) {
    tell(l -> l.started(digest, upstream, repository));
  }

  @Override
  public void progressed(Digest digest, long stored, long size) {
    tell(l -> l.progressed(digest, stored, size));
  }

  @Override
  public void resumed(Digest digest, long at) {
    tell(l -> l.resumed(digest, at));
  }

  @Override
  public void mismatched(Digest digest) {
    tell(l -> l.mismatched(digest));
  }

  @Override
  public void committed(Digest digest, long size) {
    tell(l -> l.committed(digest, size));
  }

  @Override
  public void failed(Digest digest, RuntimeException cause) {
    tell(l -> l.failed(digest, cause));
  }

  @Override
  public void evicted(Digest digest, long size) {
    tell(l -> l.evicted(digest, size));
  }

  private void tell(Consumer<BlobListener> event) {
    for (BlobListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "blob listener " + listener + " failed", e);
      }
    }
  }
}
