package io.stevedore.e2e;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.function.Consumer;

/**
 * A listening socket on 127.0.0.1 that hands every connection to {@code handler} on a virtual
 * thread of its own: the front of the test's relays and fake upstreams.
 */
final class LoopbackListener implements AutoCloseable {
  private final ServerSocket server;
  private final Consumer<Socket> handler;

  LoopbackListener(String name, Consumer<Socket> handler) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.handler = handler;
    Thread.ofPlatform().daemon().name(name + "-accept").start(this::accept);
  }

  /** {@code http://127.0.0.1:PORT}. */
  URI url() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> handler.accept(socket));
      } catch (IOException e) {
        // closed: the loop ends
      }
    }
  }

  static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
