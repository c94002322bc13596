package io.stevedore.http;

import io.helidon.http.DirectHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.stevedore.config.AdminConfig;
import io.stevedore.config.ServerLimits;
import io.stevedore.config.ServerTls;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server: the registry API on one listener (HTTPS when configured), the admin API on
 * another (plain HTTP, loopback unless a token guards it).
 */
public final class MirrorServer implements AutoCloseable {
  private static final String ADMIN = "admin";

  /** How often the TLS files are looked at: a rotated certificate is served within this. */
  private static final long TLS_CHECK_SECONDS = 2;

  private final WebServer server;
  private final Runnable stopWatching;

  private MirrorServer(WebServer server, Runnable stopWatching) {
    this.server = server;
    this.stopWatching = stopWatching;
  }

  /**
   * Starts the registry listener on {@code host:port} (0 for any free port), taking no more of a
   * request than {@code limits} allow, HTTPS when {@code tls} is present, serving its files' new
   * certificate (and client CAs) a few seconds after they change, without a restart; and the admin
   * listener as {@code admin} says.
   *
   * @throws IllegalStateException when it cannot listen there, or the TLS files no longer read well
   *     (they did when the config was loaded); the message names the config key
   */
  public static MirrorServer start(
      String host,
      int port,
      ServerLimits limits,
      Optional<ServerTls> tls,
      AdminConfig admin,
      Served served) {
    Optional<EdgeTls> edge = tls.map(MirrorServer::edge);
    HttpRouting.Builder registry = HttpRouting.builder();
    HttpApi.registry(registry, served);
    HttpRouting.Builder adminRouting = HttpRouting.builder();
    HttpApi.admin(adminRouting, served, admin.token());
    HeaderDeadline deadline = new HeaderDeadline(limits.headerTimeout(), served.clock());
    WebServerConfig.Builder builder =
        WebServer.builder()
            .host(host)
            .port(port)
            .addProtocol(
                Http1Config.builder()
                    .maxPrologueLength(limits.maxRequestLine())
                    .maxHeadersSize(limits.maxHeaderSize())
                    .addReceiveListener(deadline)
                    .build())
            // Helidon closes a connection idle this long, also one still sending its request
            // line; the deadline covers the headers after it.
            .idleConnectionTimeout(limits.idleTimeout())
            .idleConnectionPeriod(checkPeriod(limits.idleTimeout()))
            .directHandlers(handlers -> protocolErrors(handlers))
            // Helidon's default NIO socket copies every response into an 8 KiB buffer and writes
            // it with one syscall per 8 KiB; the plain socket writes each 1 MiB chunk at once.
            // Warm 335 MB blob, alternated: 1.5-1.8 GB/s against 1.1-1.4, and a fifth less CPU.
            .useNio(false)
            .routing(registry)
            .putSocket(ADMIN, socket -> socket.host(admin.host()).port(admin.port()))
            .routing(ADMIN, adminRouting);
    // Helidon 4.5's plain socket takes the certificate but drops the rest of the TLS
    // configuration, client authentication included: a client CA would let anyone in. Its NIO
    // socket applies all of it. Encryption, not the socket, bounds TLS: 512 MiB from memory to
    // curl ran at 350-610 MB/s with either socket (warm, alternated).
    edge.ifPresent(e -> builder.useNio(true).tls(e.tls()));
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
              + " and "
              + admin.host()
              + ":"
              + admin.port()
              + " (taken by another process, or not an address of this host?)");
    }
    ScheduledExecutorService watcher =
        Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("watcher").factory());
    long period = deadline.checkPeriod().toMillis();
    watcher.scheduleWithFixedDelay(deadline::cutOverdue, period, period, TimeUnit.MILLISECONDS);
    edge.ifPresent(
        e ->
            watcher.scheduleWithFixedDelay(
                () -> e.reloadIfChanged(server::reloadTls),
                TLS_CHECK_SECONDS,
                TLS_CHECK_SECONDS,
                TimeUnit.SECONDS));
    return new MirrorServer(server, watcher::shutdownNow);
  }

  private static void protocolErrors(DirectHandlers.Builder handlers) {
    ProtocolErrors errors = new ProtocolErrors();
    for (DirectHandler.EventType event : DirectHandler.EventType.values()) {
      handlers.addHandler(event, errors);
    }
  }

  /** A tenth of the idle timeout, within 100 ms and 10 s: how late an idle connection may go. */
  private static Duration checkPeriod(Duration idleTimeout) {
    return Duration.ofMillis(Math.clamp(idleTimeout.toMillis() / 10, 100, 10_000));
  }

  private static EdgeTls edge(ServerTls tls) {
    try {
      return EdgeTls.read(tls);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot serve HTTPS: " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.port();
  }

  /** The admin API's port. */
  public int adminPort() {
    return server.port(ADMIN);
  }

  @Override
  public void close() {
    stopWatching.run();
    server.stop();
  }
}
