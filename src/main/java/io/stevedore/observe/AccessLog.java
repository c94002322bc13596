package io.stevedore.observe;

import io.stevedore.oci.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One JSON line per answered request: time, method, path, ns, status, bytes, duration, cache
 * result, upstream, whether a peer sent it, client address. Never a header, so never credentials or
 * tokens; the path is logged without its query.
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
  // Read and replaced by request threads without a lock: a stale one is only formatted again.
  private volatile Second lastSecond = new Second(Long.MIN_VALUE, "");
  private final ScheduledExecutorService flusher =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("access-log").factory());

  /** Writes to {@code out}, which it closes on {@link #close()} unless it is stdout. */
  public AccessLog(OutputStream out) {
    this.out = out;
    flusher.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void answered(RequestRecord r) {
    // Built by hand into one builder: at tens of thousands of requests a second, String.format
    // and a string per field cost the server a tenth of its manifest throughput.
    StringBuilder line = new StringBuilder(256).append("{\"time\":\"");
    time(r.time(), line);
    Json.quote(r.method(), line.append("\",\"method\":"));
    Json.quote(r.path(), line.append(",\"path\":"));
    Json.quote(r.ns(), line.append(",\"ns\":"));
    line.append(",\"status\":").append(r.status());
    line.append(",\"bytes\":").append(r.bytes());
    long micros = r.durationNanos() / 1000;
    line.append(",\"duration_ms\":").append(micros / 1000).append('.');
    pad3(micros % 1000, line);
    Json.quote(r.cache(), line.append(",\"cache\":"));
    Json.quote(r.upstream(), line.append(",\"upstream\":"));
    if (r.peer()) {
      line.append(",\"peer\":true"); // an internal hop: the node that asked is the client
    }
    String client = r.client().map(InetAddress::getHostAddress).orElse("");
    Json.quote(client, line.append(",\"client\":")).append("}\n");
    boolean full;
    synchronized (pending) {
      pending.append(line);
      full = pending.length() >= FLUSH_AT;
    }
    if (full) {
      flush();
    }
  }

  /**
   * {@code 2026-12-06T06:40:01.123Z}: the second's text is kept, since a busy mirror logs many
   * requests in each second and formatting a date is the dearest part of a line.
   */
  private void time(Instant at, StringBuilder out) {
    Second second = lastSecond;
    long epochSecond = at.getEpochSecond();
    if (second.epochSecond() != epochSecond) {
      String text = Instant.ofEpochSecond(epochSecond).toString(); // ...T06:40:01Z
      second = new Second(epochSecond, text.substring(0, text.length() - 1));
      lastSecond = second;
    }
    out.append(second.text()).append('.');
    pad3(at.getNano() / 1_000_000, out);
    out.append('Z');
  }

  private static void pad3(long value, StringBuilder out) {
    if (value < 100) {
      out.append('0');
    }
    if (value < 10) {
      out.append('0');
    }
    out.append(value);
  }

  private record Second(long epochSecond, String text) {}

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
