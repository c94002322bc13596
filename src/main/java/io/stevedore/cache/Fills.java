package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.StoreException;
import io.stevedore.upstream.Upstream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running fills, at most one per digest, each on its own virtual thread so it completes into
 * the cache even when the client that started it goes away. A fill's whole life is here: it is
 * registered, fetched ({@link FillTask}), linked to its repository, let go of, and told to the
 * listeners.
 */
final class Fills {
  private static final Logger LOG = Logger.getLogger(Fills.class.getName());

  private final FillContext context;
  private final RepositoryLinks links;
  private final ConcurrentMap<Digest, Fill> running = new ConcurrentHashMap<>();

  Fills(FillContext context, RepositoryLinks links) {
    this.context = context;
    this.links = links;
  }

  /** The fill of {@code digest} that is running, or null. */
  Fill find(Digest digest) {
    return running.get(digest);
  }

  boolean running(Digest digest) {
    return running.containsKey(digest);
  }

  /**
   * Starts a fill of {@code digest} for {@code repository}, unless one is running already or the
   * blob was committed just now.
   *
   * @return the fill started, or null when the caller should look again
   */
  Fill startUnlessRunning(Upstream upstream, RepositoryName repository, Digest digest) {
    Fill fill = new Fill(upstream, repository, digest);
    if (running.putIfAbsent(digest, fill) != null) {
      return null;
    }
    if (context.store().find(digest).isPresent()) {
      running.remove(digest, fill); // the previous fill committed just now
      return null;
    }
    context.events().started(digest, upstream.config().name(), repository);
    Thread.ofVirtual().name("fill-" + digest.hex().substring(0, 12)).start(() -> run(fill));
    return fill;
  }

  private void run(Fill fill) {
    Digest digest = fill.digest();
    FillTask task = new FillTask(fill, context);
    long size;
    try {
      size = task.fetchAndCommit();
    } catch (RuntimeException e) {
      failed(fill, task, e);
      return;
    } catch (Error e) {
      // Out of memory, say: the waiters must learn that the fill ended, or they wait forever.
      failed(fill, task, new IllegalStateException("the fill failed: " + e, e));
      throw e;
    }
    // The upstream sent this blob for this repository: link it before the fill leaves the
    // registry, so no request sees it stored but unlinked.
    links.link(fill.upstream(), fill.repository(), digest);
    running.remove(digest, fill);
    // Heard before the waiters finish, so whoever watches sees a fill end no later than its
    // clients do.
    context.events().committed(digest, size);
    fill.completed(size);
  }

  private void failed(Fill fill, FillTask task, RuntimeException e) {
    context.events().failed(fill.digest(), e);
    // Waiters learn of the failure before its chunks go, so a reader that finds a chunk
    // missing finds the reason too.
    fill.failed(e);
    task.discard();
    running.remove(fill.digest(), fill);
    fill.cleared();
    String what =
        "fill of " + fill.digest() + " from " + fill.upstream().config().name() + " failed";
    if (e instanceof RegistryException || e instanceof StoreException) {
      // Expected trouble (upstream errors, bad bytes, a full disk): the message says it all.
      LOG.warning(() -> what + ": " + e.getMessage());
    } else {
      LOG.log(Level.WARNING, what, e);
    }
  }
}
