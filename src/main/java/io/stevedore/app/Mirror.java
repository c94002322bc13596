package io.stevedore.app;

import io.stevedore.cache.Cache;
import io.stevedore.cache.FillPolicy;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.ops.Operator;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.store.Store;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.CircuitBreakerUpstream;
import io.stevedore.upstream.OkHttpUpstream;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Everything built on the open data directory: the store, the upstreams and the router over them,
 * the cache, and the operator features above it. The one place Stevedore is wired; the server and
 * every command build it the same way. Closing it writes pending access times and releases the data
 * directory.
 */
public final class Mirror implements AutoCloseable {
  private final Store store;
  private final UpstreamRouter router;
  private final Cache cache;
  private final Operator operator;

  private Mirror(Store store, UpstreamRouter router, Cache cache, Operator operator) {
    this.store = store;
    this.router = router;
    this.cache = cache;
    this.operator = operator;
  }

  /**
   * Opens the data directory, with real upstreams.
   *
   * @throws io.stevedore.store.StoreLockedException when a running server has it open
   */
  public static Mirror open(StevedoreConfig config, Clock clock) {
    return open(
        config,
        clock,
        FillPolicy.DEFAULT.withTimeout(config.fillTimeout()),
        c -> CircuitBreakerUpstream.wrap(OkHttpUpstream.create(c, clock)));
  }

  /** Opens the data directory with upstreams and fill policy of the caller's choosing. */
  public static Mirror open(
      StevedoreConfig config,
      Clock clock,
      FillPolicy fillPolicy,
      Function<UpstreamConfig, Upstream> upstreams) {
    Store store = RocksStore.open(config.storagePath());
    try {
      List<Upstream> clients = config.upstreams().stream().map(upstreams).toList();
      UpstreamRouter router = new UpstreamRouter(clients);
      Cache cache = Cache.over(store, clock, fillPolicy, config.manifestMemory());
      Operator operator = Operator.over(cache, router, config.maxSize(), clock);
      return new Mirror(store, router, cache, operator);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  public UpstreamRouter router() {
    return router;
  }

  public Cache cache() {
    return cache;
  }

  public Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    try {
      cache.contents().flushAccesses();
    } finally {
      store.close();
    }
  }
}
