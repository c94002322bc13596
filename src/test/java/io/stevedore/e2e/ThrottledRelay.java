package io.stevedore.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay on 127.0.0.1 in front of an upstream, forwarding the upstream's answers at a bounded
 * rate and counting them, so a test can act at a chosen point of a transfer: {@link #at} runs an
 * action in the relaying thread right after the byte count crosses a mark, before anything more is
 * forwarded (the receiver has at most that many bytes then, no sleeps involved).
 */
final class ThrottledRelay implements AutoCloseable {
  private static final int PIECE = 64 * 1024;

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicReference<Trigger> trigger = new AtomicReference<>();
  private volatile long bytesPerSecond;
  private volatile long paceStartNanos = System.nanoTime();
  private volatile long paceStartBytes;

  private record Trigger(long mark, Runnable action) {}

  ThrottledRelay(URI upstream) throws IOException {
    target = new InetSocketAddress(upstream.getHost(), upstream.getPort());
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("relay-accept").start(this::accept);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Bytes forwarded from the upstream so far, over every connection. */
  long relayed() {
    return relayed.get();
  }

  /** Limits what is forwarded from the upstream to {@code rate} bytes per second; 0 lifts it. */
  synchronized void rate(long rate) {
    paceStartNanos = System.nanoTime();
    paceStartBytes = relayed.get();
    bytesPerSecond = rate;
  }

  /** Runs {@code action} once, as soon as {@link #relayed()} reaches {@code mark}. */
  void at(long mark, Runnable action) {
    trigger.set(new Trigger(mark, action));
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(target, 5_000);
        Thread.ofVirtual().start(() -> pump(client, upstream, false));
        Thread.ofVirtual().start(() -> pump(upstream, client, true));
      } catch (IOException e) {
        // closed, or the upstream refused: the client sees its connection drop
      }
    }
  }

  private void pump(Socket from, Socket to, boolean downstream) {
    byte[] buffer = new byte[PIECE];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        if (downstream) {
          long total = relayed.addAndGet(read);
          fire(total);
          pace(total);
        }
      }
    } catch (IOException e) {
      // one side went away (a killed mirror): close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void fire(long total) {
    Trigger current = trigger.get();
    if (current != null && total >= current.mark() && trigger.compareAndSet(current, null)) {
      current.action().run();
    }
  }

  /** Sleeps as long as forwarding ran ahead of the rate: throttling, not synchronisation. */
  private void pace(long total) {
    long rate = bytesPerSecond;
    if (rate <= 0) {
      return;
    }
    long dueNanos = (total - paceStartBytes) * 1_000_000_000L / rate;
    long aheadNanos = dueNanos - (System.nanoTime() - paceStartNanos);
    if (aheadNanos > 0) {
      try {
        Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
