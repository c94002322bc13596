package io.stevedore.http;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.stevedore.cache.Cache;
import io.stevedore.config.ServerTls;
import io.stevedore.ops.Operator;
import io.stevedore.route.UpstreamRouter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The HTTP server: the registry API and the admin endpoints on one listener. */
public final class MirrorServer implements AutoCloseable {
  /** How often the TLS files are looked at: a rotated certificate is served within this. */
  private static final long TLS_CHECK_SECONDS = 2;

  private final WebServer server;
  private final Runnable stopWatching;

  private MirrorServer(WebServer server, Runnable stopWatching) {
    this.server = server;
    this.stopWatching = stopWatching;
  }

  /**
   * Starts serving plain HTTP on {@code host:port} (0 for any free port).
   *
   * @throws IllegalStateException when it cannot listen there
   */
  public static MirrorServer start(
      String host, int port, UpstreamRouter router, Cache cache, Operator operator) {
    return new MirrorServer(listen(host, port, router, cache, operator, listener -> {}), () -> {});
  }

  /**
   * Starts serving HTTPS on {@code host:port} as {@code tls} configures, and serves its files' new
   * certificate (and client CAs) a few seconds after they change, without a restart.
   *
   * @throws IllegalStateException when it cannot listen there, or the files no longer read well
   *     (they did when the config was loaded); the message names the config key
   */
  public static MirrorServer start(
      String host, int port, ServerTls tls, UpstreamRouter router, Cache cache, Operator operator) {
    EdgeTls edge;
    try {
      edge = EdgeTls.read(tls);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot serve HTTPS: " + e.getMessage(), e);
    }
    WebServer server =
        listen(
            host,
            port,
            router,
            cache,
            operator,
            // Helidon 4.5's plain socket takes the certificate but drops the rest of the TLS
            // configuration, client authentication included: a client CA would let anyone in.
            // Its NIO socket applies all of it. Encryption, not the socket, bounds TLS: 512 MiB
            // from memory to curl ran at 350-610 MB/s with either socket (warm, alternated).
            listener -> listener.useNio(true).tls(edge.tls()));
    ScheduledExecutorService watcher =
        Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("tls-files").factory());
    watcher.scheduleWithFixedDelay(
        () -> edge.reloadIfChanged(server::reloadTls),
        TLS_CHECK_SECONDS,
        TLS_CHECK_SECONDS,
        TimeUnit.SECONDS);
    return new MirrorServer(server, watcher::shutdownNow);
  }

  private static WebServer listen(
      String host,
      int port,
      UpstreamRouter router,
      Cache cache,
      Operator operator,
      Consumer<WebServerConfig.Builder> tls) {
    HttpRouting.Builder routing = HttpRouting.builder();
    HttpApi.routing(routing, router, cache, operator);
    WebServerConfig.Builder builder =
        WebServer.builder()
            .host(host)
            .port(port)
            // Helidon's default NIO socket copies every response into an 8 KiB buffer and writes
            // it with one syscall per 8 KiB; the plain socket writes each 1 MiB chunk at once.
            // Warm 335 MB blob, alternated: 1.5-1.8 GB/s against 1.1-1.4, and a fifth less CPU.
            .useNio(false)
            .routing(routing);
    tls.accept(builder);
    WebServer server = builder.build().start();
    if (!server.isRunning()) {
      // Helidon logs why (the port is taken, the address is not this host's) and returns a
      // server that listens nowhere; a mirror that cannot listen must not look started.
      server.stop();
      throw new IllegalStateException(
          "cannot listen on "
              + host
              + ":"
              + port
              + " (taken by another process, or not an address of this host?)");
    }
    return server;
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    stopWatching.run();
    server.stop();
  }
}
