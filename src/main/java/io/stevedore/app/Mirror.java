package io.stevedore.app;

import io.stevedore.cache.Cache;
import io.stevedore.cache.FillPolicy;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.observe.Metrics;
import io.stevedore.ops.Operator;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.store.Store;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.CircuitBreakerUpstream;
import io.stevedore.upstream.Cluster;
import io.stevedore.upstream.OkHttpUpstream;
import io.stevedore.upstream.Upstream;
import io.stevedore.upstream.UpstreamListener;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Everything built on the open data directory: the store, the upstreams (with the cluster's owner
 * fill in front of them) and the router over them, the cache, the operator features above it, and
 * the metrics that hear all of them. The one place Stevedore is wired; the server and every command
 * build it the same way. Closing it writes pending access times and releases the data directory.
 */
public final class Mirror implements AutoCloseable {
  private final Store store;
  private final Cluster cluster;
  private final UpstreamRouter router;
  private final Cache cache;
  private final Operator operator;
  private final Metrics metrics;

  private Mirror(
      Store store,
      Cluster cluster,
      UpstreamRouter router,
      Cache cache,
      Operator operator,
      Metrics metrics) {
    this.store = store;
    this.cluster = cluster;
    this.router = router;
    this.cache = cache;
    this.operator = operator;
    this.metrics = metrics;
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
        (c, listener) -> CircuitBreakerUpstream.wrap(OkHttpUpstream.create(c, clock, listener)));
  }

  /**
   * Opens the data directory with upstreams and fill policy of the caller's choosing.
   *
   * @param upstreams makes the client of one upstream, telling the listener (metrics) of each of
   *     its exchanges
   */
  public static Mirror open(
      StevedoreConfig config,
      Clock clock,
      FillPolicy fillPolicy,
      BiFunction<UpstreamConfig, UpstreamListener, Upstream> upstreams) {
    Metrics metrics = new Metrics(clock);
    Store store =
        RocksStore.open(config.storagePath(), RocksStore.DEFAULT_CHUNK_SIZE, config.directWrites());
    Cluster cluster = null;
    try {
      cluster = Cluster.start(config.cluster(), clock, metrics);
      List<Upstream> clients = new ArrayList<>();
      for (UpstreamConfig upstream : config.upstreams()) {
        clients.add(cluster.ownerFill(upstreams.apply(upstream, metrics)));
      }
      UpstreamRouter router = new UpstreamRouter(clients);
      Cache cache = Cache.over(store, clock, fillPolicy, config.manifestMemory());
      cache.listen(metrics);
      Operator operator = Operator.over(cache, router, config.maxSize(), clock);
      metrics.watch(new OperatorUsage(operator), clients);
      metrics.watchBuffers(cache.blobs()::buffers);
      metrics.watchPeers(cluster::peerHealth);
      return new Mirror(store, cluster, router, cache, operator, metrics);
    } catch (RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      store.close();
      throw e;
    }
  }

  /** This node's part in a cluster: what proves the hops of its peers. */
  public Cluster cluster() {
    return cluster;
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

  public Metrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    cluster.close();
    try {
      cache.contents().flushAccesses();
    } finally {
      store.close();
    }
  }
}
