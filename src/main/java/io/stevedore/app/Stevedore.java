package io.stevedore.app;

import io.stevedore.cache.FillPolicy;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.http.MirrorServer;
import io.stevedore.ops.Operator;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** One running mirror: the {@link Mirror} and the HTTP server over it. */
public final class Stevedore implements AutoCloseable {
  /** Access times are written this often; a crash loses at most this much LRU ordering. */
  private static final long ACCESS_FLUSH_SECONDS = 30;

  private final Mirror mirror;
  private final MirrorServer server;
  private final ScheduledExecutorService flusher;

  private Stevedore(Mirror mirror, MirrorServer server, ScheduledExecutorService flusher) {
    this.mirror = mirror;
    this.server = server;
    this.flusher = flusher;
  }

  /** Opens the store and starts serving, with real upstreams. */
  public static Stevedore start(StevedoreConfig config, Clock clock) {
    return start(Mirror.open(config, clock), config);
  }

  /** Starts with upstreams and fill policy of the caller's choosing; tests use it. */
  public static Stevedore start(
      StevedoreConfig config,
      Clock clock,
      FillPolicy fillPolicy,
      Function<UpstreamConfig, Upstream> upstreams) {
    return start(Mirror.open(config, clock, fillPolicy, upstreams), config);
  }

  private static Stevedore start(Mirror mirror, StevedoreConfig config) {
    try {
      MirrorServer server = listen(mirror, config);
      ScheduledExecutorService flusher =
          Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
      flusher.scheduleWithFixedDelay(
          mirror.cache().contents()::flushAccesses,
          ACCESS_FLUSH_SECONDS,
          ACCESS_FLUSH_SECONDS,
          TimeUnit.SECONDS);
      return new Stevedore(mirror, server, flusher);
    } catch (RuntimeException e) {
      mirror.close();
      throw e;
    }
  }

  private static MirrorServer listen(Mirror mirror, StevedoreConfig config) {
    if (config.tls().isPresent()) {
      return MirrorServer.start(
          config.host(),
          config.port(),
          config.tls().get(),
          mirror.router(),
          mirror.cache(),
          mirror.operator());
    }
    return MirrorServer.start(
        config.host(), config.port(), mirror.router(), mirror.cache(), mirror.operator());
  }

  /** Gc, verify, prefetch, export and import, for the command line and tests. */
  public Operator operator() {
    return mirror.operator();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    flusher.shutdownNow();
    mirror.close();
  }
}
