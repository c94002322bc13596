package io.stevedore.observe;

import io.stevedore.oci.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One JSON line per answered request: time, method, path, ns, status, bytes, duration, cache
 * result, upstream, client address. Never a header, so never credentials or tokens; the path is
 * logged without its query.
 *
 * <p>Lines collect in memory and go out whole, at least once a second and before the buffer grows
 * past 64 KiB: a write per request would cost a busy mirror a syscall per request, and whole lines
 * never interleave with other output on the same stream.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AccessLog.class.getName());
  private static final int FLUSH_AT = 64 * 1024;

  private final OutputStream out;
  private final StringBuilder pending = new StringBuilder();
  private final ScheduledExecutorService flusher =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("access-log").factory());

  /** Writes to {@code out}, which it closes on {@link #close()} unless it is stdout. */
  public AccessLog(OutputStream out) {
    this.out = out;
    flusher.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void answered(RequestRecord r) {
    String line =
        "{\"time\":"
            + Json.quote(r.time().toString())
            + ",\"method\":"
            + Json.quote(r.method())
            + ",\"path\":"
            + Json.quote(r.path())
            + ",\"ns\":"
            + Json.quote(r.ns())
            + ",\"status\":"
            + r.status()
            + ",\"bytes\":"
            + r.bytes()
            + ",\"duration_ms\":"
            + String.format(java.util.Locale.ROOT, "%.3f", r.durationNanos() / 1e6)
            + ",\"cache\":"
            + Json.quote(r.cache())
            + ",\"upstream\":"
            + Json.quote(r.upstream())
            + ",\"client\":"
            + Json.quote(r.client())
            + "}\n";
    boolean full;
    synchronized (pending) {
      pending.append(line);
      full = pending.length() >= FLUSH_AT;
    }
    if (full) {
      flush();
    }
  }

  /** Writes the lines collected so far. */
  public void flush() {
    byte[] lines;
    synchronized (pending) {
      if (pending.isEmpty()) {
        return;
      }
      lines = pending.toString().getBytes(StandardCharsets.UTF_8);
      pending.setLength(0);
    }
    try {
      synchronized (out) {
        out.write(lines);
        out.flush();
      }
    } catch (IOException e) {
      // The log is for people; a full disk under it must not fail requests.
      LOG.warning("cannot write the access log: " + e);
    }
  }

  @Override
  public void close() {
    flusher.shutdownNow();
    flush();
    if (out != System.out) {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
