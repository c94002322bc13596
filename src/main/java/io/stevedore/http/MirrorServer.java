package io.stevedore.http;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.stevedore.cache.Cache;
import io.stevedore.ops.Operator;
import io.stevedore.route.UpstreamRouter;

/** The HTTP server: the registry API and the admin endpoints on one listener. */
public final class MirrorServer implements AutoCloseable {
  private final WebServer server;

  private MirrorServer(WebServer server) {
    this.server = server;
  }

  /**
   * Starts listening on {@code host:port} (0 for any free port).
   *
   * @throws IllegalStateException when it cannot listen there
   */
  public static MirrorServer start(
      String host, int port, UpstreamRouter router, Cache cache, Operator operator) {
    HttpRouting.Builder routing = HttpRouting.builder();
    HttpApi.routing(routing, router, cache, operator);
    WebServer server =
        WebServer.builder()
            .host(host)
            .port(port)
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
              + host
              + ":"
              + port
              + " (taken by another process, or not an address of this host?)");
    }
    return new MirrorServer(server);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
