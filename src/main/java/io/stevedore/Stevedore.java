package io.stevedore;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.stevedore.cache.FillPolicy;
import io.stevedore.cache.Maintenance;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.http.HttpApi;
import io.stevedore.store.Store;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.CircuitBreakerUpstream;
import io.stevedore.upstream.OkHttpUpstream;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** One running mirror: the store, the upstreams, the caches and the HTTP server over them. */
public final class Stevedore implements AutoCloseable {
  /** Access times are written this often; a crash loses at most this much LRU ordering. */
  private static final long ACCESS_FLUSH_SECONDS = 30;

  private final Store store;
  private final WebServer server;
  private final Components components;
  private final ScheduledExecutorService flusher;

  private Stevedore(
      Store store, WebServer server, Components components, ScheduledExecutorService flusher) {
    this.store = store;
    this.server = server;
    this.components = components;
    this.flusher = flusher;
  }

  /** Opens the store and starts serving, with real upstreams. */
  public static Stevedore start(StevedoreConfig config, Clock clock) {
    return start(
        config,
        clock,
        FillPolicy.DEFAULT.withTimeout(config.fillTimeout()),
        c -> CircuitBreakerUpstream.wrap(OkHttpUpstream.create(c, clock)));
  }

  /** Starts with upstreams and fill policy of the caller's choosing; tests use it. */
  public static Stevedore start(
      StevedoreConfig config,
      Clock clock,
      FillPolicy fillPolicy,
      Function<UpstreamConfig, Upstream> upstreams) {
    Store store = RocksStore.open(config.storagePath());
    try {
      Components components = Components.build(store, config, clock, fillPolicy, upstreams);
      HttpRouting.Builder routing = HttpRouting.builder();
      HttpApi.routing(
          routing,
          components.router(),
          components.manifests(),
          components.blobs(),
          components.referrers(),
          components.maintenance(),
          components.prefetch(),
          components.exporter(),
          components.importer());
      WebServer server =
          WebServer.builder()
              .host(config.host())
              .port(config.port())
              // Helidon's default NIO socket copies every response into an 8 KiB buffer and writes
              // it with one syscall per 8 KiB; the plain socket writes each 1 MiB chunk at once.
              // Warm 335 MB blob, alternated: 1.5-1.8 GB/s against 1.1-1.4, and a fifth less CPU.
              .useNio(false)
              .routing(routing)
              .build()
              .start();
      if (!server.isRunning()) {
        // Helidon logs why (the port is taken, the address is not this host's) and returns a
        // server that listens nowhere; a mirror that cannot listen must not look started.
        server.stop();
        throw new IllegalStateException(
            "cannot listen on "
                + config.host()
                + ":"
                + config.port()
                + " (taken by another process, or not an address of this host?)");
      }
      ScheduledExecutorService flusher =
          Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
      flusher.scheduleWithFixedDelay(
          components.accesses()::flush,
          ACCESS_FLUSH_SECONDS,
          ACCESS_FLUSH_SECONDS,
          TimeUnit.SECONDS);
      return new Stevedore(store, server, components, flusher);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Gc and verify for the command line and tests. */
  public Maintenance maintenance() {
    return components.maintenance();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
    flusher.shutdownNow();
    try {
      components.accesses().flush();
    } finally {
      store.close();
    }
  }
}
