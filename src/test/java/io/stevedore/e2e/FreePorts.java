package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;

/** Free TCP ports on the loopback interface, where every test process binds. */
public final class FreePorts {
  private FreePorts() {}

  /**
   * Returns a port that was free on 127.0.0.1 a moment ago. The kernel picks it (port 0), so
   * parallel test JVMs do not collide the way a fixed range would; the small race until the caller
   * binds it is accepted.
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      // No SO_REUSEADDR: the port must not be in TIME_WAIT from someone else.
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /**
   * An http URL on a port nothing listens on: a registry host's "real" server where only a mirror
   * may answer, or an upstream that is gone, so a fallback fails fast instead of reaching anything.
   */
  public static URI closedUrl() {
    return URI.create("http://127.0.0.1:" + freePort());
  }
}
