package io.stevedore.e2e;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes what a test class started, last first: a mirror goes before the registry it reads from and
 * the disk it writes to, and the directory holding them all goes last. Every close is tried even
 * when an earlier one fails, so one stuck process does not leave the others running; the first
 * failure is thrown afterwards with the rest suppressed, so a leak is not silent.
 */
final class Teardown implements AutoCloseable {
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  /** Closes {@code resource} at {@link #close()}, before everything added earlier. */
  synchronized <T extends AutoCloseable> T add(T resource) {
    resources.push(resource);
    return resource;
  }

  @Override
  public synchronized void close() throws Exception {
    Throwable failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception | AssertionError e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure instanceof Exception e) {
      throw e;
    }
    if (failure instanceof AssertionError e) {
      throw e;
    }
  }
}
