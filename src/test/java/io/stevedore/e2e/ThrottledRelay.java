package io.stevedore.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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

  private final LoopbackListener listener;
  private final InetSocketAddress target;
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicReference<Trigger> trigger = new AtomicReference<>();
  private volatile Pace pace;

  private record Trigger(long mark, Runnable action) {}

  ThrottledRelay(URI upstream) throws IOException {
    target = new InetSocketAddress(upstream.getHost(), upstream.getPort());
    listener = new LoopbackListener("relay", this::relay);
  }

  URI url() {
    return listener.url();
  }

  /** Bytes forwarded from the upstream so far, over every connection. */
  long relayed() {
    return relayed.get();
  }

  /** Limits what is forwarded from the upstream to {@code rate} bytes per second; 0 lifts it. */
  void rate(long rate) {
    pace = rate > 0 ? new Pace(rate, relayed.get()) : null;
  }

  /** Runs {@code action} once, as soon as {@link #relayed()} reaches {@code mark}. */
  void at(long mark, Runnable action) {
    trigger.set(new Trigger(mark, action));
  }

  private void relay(Socket client) {
    Socket upstream = new Socket();
    try {
      upstream.connect(target, 5_000);
    } catch (IOException e) {
      // the upstream refused: the client sees its connection drop
      LoopbackListener.closeQuietly(client);
      LoopbackListener.closeQuietly(upstream);
      return;
    }
    Thread.ofVirtual().start(() -> pump(client, upstream, false));
    pump(upstream, client, true);
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
          Pace current = pace;
          if (current != null) {
            current.after(total);
          }
        }
      }
    } catch (IOException e) {
      // one side went away (a killed mirror): close both below
    } finally {
      LoopbackListener.closeQuietly(from);
      LoopbackListener.closeQuietly(to);
    }
  }

  private void fire(long total) {
    Trigger current = trigger.get();
    if (current != null && total >= current.mark() && trigger.compareAndSet(current, null)) {
      current.action().run();
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
