package io.stevedore.config;

import java.time.Duration;

/**
 * What the registry listener takes from a client before it answers: bounds on the request's head,
 * so a hostile or broken client can hold neither much memory nor a connection for long.
 *
 * @param maxRequestLine the longest request line ({@code GET /v2/... HTTP/1.1}), in bytes
 * @param maxHeaderSize the most bytes of headers one request may send
 * @param headerTimeout how long a client may take to send its headers after its request line
 * @param idleTimeout how long a connection may wait for a request (its line included) before it is
 *     closed
 */
public record ServerLimits(
    int maxRequestLine, int maxHeaderSize, Duration headerTimeout, Duration idleTimeout) {
  /** Room for a 255-character name, a sha512 digest and a query; 16 KiB of headers like nginx. */
  public static final ServerLimits DEFAULT =
      new ServerLimits(4096, 16384, Duration.ofSeconds(10), Duration.ofMinutes(1));

  public ServerLimits {
    positive(maxRequestLine, "server.max-request-line");
    positive(maxHeaderSize, "server.max-header-size");
    positive(headerTimeout, "server.header-timeout");
    positive(idleTimeout, "server.idle-timeout");
  }

  private static void positive(long value, String key) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": must be more than 0, got " + value);
    }
  }

  private static void positive(Duration value, String key) {
    if (!value.isPositive()) {
      throw new IllegalArgumentException(key + ": must be longer than 0, got " + value);
    }
  }
}
