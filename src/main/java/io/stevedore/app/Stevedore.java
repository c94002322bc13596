package io.stevedore.app;

import io.stevedore.auth.ClientAuth;
import io.stevedore.cache.FillPolicy;
import io.stevedore.config.AccessLogConfig;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.http.MirrorServer;
import io.stevedore.http.Served;
import io.stevedore.observe.AccessLog;
import io.stevedore.observe.Health;
import io.stevedore.observe.RequestObserver;
import io.stevedore.observe.Status;
import io.stevedore.ops.Operator;
import io.stevedore.upstream.Upstream;
import io.stevedore.upstream.UpstreamListener;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/** One running mirror: the {@link Mirror}, the access log, and the HTTP server over them. */
public final class Stevedore implements AutoCloseable {
  /** Access times are written this often; a crash loses at most this much LRU ordering. */
  private static final long ACCESS_FLUSH_SECONDS = 30;

  private final Mirror mirror;
  private final MirrorServer server;
  private final Optional<AccessLog> accessLog;
  private final ScheduledExecutorService flusher;

  private Stevedore(
      Mirror mirror,
      MirrorServer server,
      Optional<AccessLog> accessLog,
      ScheduledExecutorService flusher) {
    this.mirror = mirror;
    this.server = server;
    this.accessLog = accessLog;
    this.flusher = flusher;
  }

  /** Opens the store and starts serving, with real upstreams. */
  public static Stevedore start(StevedoreConfig config, Clock clock) {
    return start(Mirror.open(config, clock), config, clock);
  }

  /** Starts with upstreams and fill policy of the caller's choosing; tests use it. */
  public static Stevedore start(
      StevedoreConfig config,
      Clock clock,
      FillPolicy fillPolicy,
      BiFunction<UpstreamConfig, UpstreamListener, Upstream> upstreams) {
    return start(Mirror.open(config, clock, fillPolicy, upstreams), config, clock);
  }

  private static Stevedore start(Mirror mirror, StevedoreConfig config, Clock clock) {
    Optional<AccessLog> accessLog = Optional.empty();
    try {
      accessLog = accessLog(config.accessLog());
      Health health = new Health(mirror.cache().contents(), mirror.router().upstreams());
      Status status =
          new Status(
              mirror.cache(),
              new OperatorUsage(mirror.operator()),
              health,
              mirror.cluster()::peerHealth,
              clock);
      mirror.cache().listen(status);
      List<RequestObserver> observers = new ArrayList<>();
      observers.add(mirror.metrics());
      observers.add(status);
      accessLog.ifPresent(observers::add);
      Served served =
          new Served(
              mirror.router(),
              mirror.cache(),
              mirror.operator(),
              mirror.metrics(),
              health,
              status,
              observers,
              ClientAuth.create(config.auth(), clock),
              mirror.cluster().hop(),
              clock);
      MirrorServer server =
          MirrorServer.start(
              config.host(), config.port(), config.limits(), config.tls(), config.admin(), served);
      ScheduledExecutorService flusher =
          Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
      flusher.scheduleWithFixedDelay(
          mirror.cache().contents()::flushAccesses,
          ACCESS_FLUSH_SECONDS,
          ACCESS_FLUSH_SECONDS,
          TimeUnit.SECONDS);
      return new Stevedore(mirror, server, accessLog, flusher);
    } catch (RuntimeException e) {
      accessLog.ifPresent(AccessLog::close);
      mirror.close();
      throw e;
    }
  }

  private static Optional<AccessLog> accessLog(AccessLogConfig config) {
    if (!config.enabled()) {
      return Optional.empty();
    }
    OutputStream out = System.out;
    if (config.file().isPresent()) {
      try {
        out =
            new BufferedOutputStream(
                Files.newOutputStream(
                    config.file().get(), StandardOpenOption.CREATE, StandardOpenOption.APPEND));
      } catch (IOException e) {
        throw new UncheckedIOException("access-log.file: cannot open " + config.file().get(), e);
      }
    }
    return Optional.of(new AccessLog(out));
  }

  /** Gc, verify, prefetch, export and import, for the command line and tests. */
  public Operator operator() {
    return mirror.operator();
  }

  public int port() {
    return server.port();
  }

  /** The admin API's port. */
  public int adminPort() {
    return server.adminPort();
  }

  @Override
  public void close() {
    server.close();
    flusher.shutdownNow();
    accessLog.ifPresent(AccessLog::close);
    mirror.close();
  }
}
