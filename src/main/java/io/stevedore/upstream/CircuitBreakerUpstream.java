package io.stevedore.upstream;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Stops asking an upstream that cannot be reached: after {@value #FAILURES_TO_OPEN} calls in a row
 * fail to reach it (refused, unresolvable, timed out), every call fails at once with 503 until a
 * background probe of {@code /v2/} gets an answer. Cached content, and stale tags, are then served
 * without a connect timeout per request. An upstream that answers, even with errors, is reachable:
 * its answers count as successes here.
 */
public final class CircuitBreakerUpstream extends ForwardingUpstream {
  static final int FAILURES_TO_OPEN = 3;
  private static final Logger LOG = Logger.getLogger(CircuitBreakerUpstream.class.getName());

  private final Duration probeInterval;
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicBoolean open = new AtomicBoolean();

  CircuitBreakerUpstream(Upstream delegate, Duration probeInterval) {
    super(delegate);
    this.probeInterval = probeInterval;
  }

  /** Wraps {@code delegate}, probing every 5 s while it is unreachable. */
  public static Upstream wrap(Upstream delegate) {
    return new CircuitBreakerUpstream(delegate, Duration.ofSeconds(5));
  }

  @Override
  public boolean circuitOpen() {
    return open.get();
  }

  /** One probe: closes the circuit when the upstream answers. */
  boolean probe() {
    if (delegate.ping()) {
      failures.set(0);
      if (open.compareAndSet(true, false)) {
        LOG.info(() -> "upstream " + name() + " answers again");
      }
      return true;
    }
    return false;
  }

  private <T> T call(Supplier<T> work) {
    if (open.get()) {
      throw new RegistryException(
          ErrorCode.UNAVAILABLE,
          503,
          "upstream "
              + name()
              + " is unreachable; serving from the cache only until it answers again");
    }
    try {
      T result = work.get();
      failures.set(0);
      return result;
    } catch (RegistryException e) {
      if (unreachable(e)) {
        opened();
      } else {
        failures.set(0);
      }
      throw e;
    }
  }

  /** 503 and 504 are what the client makes of a refused, unresolvable or silent upstream. */
  private static boolean unreachable(RegistryException e) {
    return e.code() == ErrorCode.UNAVAILABLE && (e.status() == 503 || e.status() == 504);
  }

  private void opened() {
    if (failures.incrementAndGet() >= FAILURES_TO_OPEN && open.compareAndSet(false, true)) {
      LOG.warning(
          () ->
              "upstream "
                  + name()
                  + " is unreachable; failing fast and probing every "
                  + probeInterval.toSeconds()
                  + "s");
      Thread.ofVirtual().name("probe-" + name()).start(this::probeUntilClosed);
    }
  }

  private void probeUntilClosed() {
    while (open.get()) {
      try {
        Thread.sleep(probeInterval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      probe();
    }
  }

  private String name() {
    return delegate.config().name();
  }

  @Override
  public FetchedManifest fetchManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    return call(() -> delegate.fetchManifest(repository, reference, accept));
  }

  @Override
  public Optional<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    return call(() -> delegate.headManifest(repository, reference, accept));
  }

  @Override
  public BlobStream fetchBlob(RepositoryName repository, Digest digest, long offset) {
    return call(() -> delegate.fetchBlob(repository, digest, offset));
  }

  @Override
  public Optional<Long> headBlob(RepositoryName repository, Digest digest) {
    return call(() -> delegate.headBlob(repository, digest));
  }

  @Override
  public Optional<Referrers> fetchReferrers(
      RepositoryName repository, Digest subject, String artifactType) {
    return call(() -> delegate.fetchReferrers(repository, subject, artifactType));
  }

  @Override
  public TagList listTags(RepositoryName repository, Integer n, String last) {
    return call(() -> delegate.listTags(repository, n, last));
  }
}
