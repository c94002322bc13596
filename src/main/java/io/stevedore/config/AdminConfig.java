package io.stevedore.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The admin listener: gc, verify, prefetch, export, import and the status page, on a port of their
 * own so the registry port never offers them.
 *
 * @param host the address it binds; loopback unless a token guards it
 * @param port its port; 0 for any free one
 * @param token when present, every admin request must carry {@code Authorization: Bearer <token>};
 *     without one, only callers on this machine are served
 */
public record AdminConfig(String host, int port, Optional<String> token) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5001;

  /** On loopback, on any free port: for a mirror nobody administers from outside (tests). */
  public static final AdminConfig LOOPBACK_ANY_PORT =
      new AdminConfig(DEFAULT_HOST, 0, Optional.empty());

  public AdminConfig {
    if (token.isEmpty() && !loopback(host)) {
      throw new IllegalArgumentException(
          "admin.host: "
              + host
              + " is reachable from other machines; set admin.token-file, or bind 127.0.0.1");
    }
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
