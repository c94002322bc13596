package io.stevedore.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cuts off a client that takes longer than the header timeout from its request line to the end of
 * its headers. Helidon bounds how long a connection waits for a request line (its idle timeout),
 * but once the line is in, it reads headers for as long as they trickle in: a slow-loris client
 * sending a byte every few seconds would hold its connection (and 16 KiB of headers buys hours).
 *
 * <p>Each connection reads its request on its own virtual thread, which is what is interrupted: a
 * virtual thread interrupted in a socket read closes the socket, and the connection ends.
 */
final class HeaderDeadline implements Http1ConnectionListener {
  /** A request whose headers are being read; cut off and done exclude each other. */
  private static final class Reading {
    private final Thread thread = Thread.currentThread();
    private final Instant deadline;
    private boolean finished;

    Reading(Instant deadline) {
      this.deadline = deadline;
    }

    synchronized boolean cutIfOverdue(Instant now) {
      if (finished || now.isBefore(deadline)) {
        return false;
      }
      finished = true;
      thread.interrupt();
      return true;
    }

    /** The headers are in; false when they came too late and the connection is being cut. */
    synchronized boolean finish() {
      if (finished) {
        return false;
      }
      finished = true;
      return true;
    }
  }

  private final Duration timeout;
  private final Clock clock;
  private final Map<Thread, Reading> reading = new ConcurrentHashMap<>();

  HeaderDeadline(Duration timeout, Clock clock) {
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
    reading.put(Thread.currentThread(), new Reading(clock.instant().plus(timeout)));
  }

  @Override
  public void headers(ConnectionContext ctx, Headers headers) {
    Reading mine = reading.remove(Thread.currentThread());
    if (mine != null && !mine.finish()) {
      // Cut off between the last header byte and here: the interrupt is on its way, so the
      // request must not be served half.
      throw new IllegalStateException("request headers took longer than " + timeout);
    }
  }

  /**
   * Interrupts every connection whose headers are overdue.
   *
   * @return how many were cut off
   */
  int cutOverdue() {
    Instant now = clock.instant();
    int cut = 0;
    for (Map.Entry<Thread, Reading> entry : reading.entrySet()) {
      if (!entry.getKey().isAlive()) {
        // The connection ended (cut off, or its client went away) before its headers were in.
        reading.remove(entry.getKey(), entry.getValue());
      } else if (entry.getValue().cutIfOverdue(now)) {
        // Left in place: should the headers come in before the interrupt bites, they are refused.
        cut++;
      }
    }
    return cut;
  }

  /** How often {@link #cutOverdue()} should run: a tenth of the timeout, within 50 ms and 1 s. */
  Duration checkPeriod() {
    long millis = Math.clamp(timeout.toMillis() / 10, 50, 1000);
    return Duration.ofMillis(millis);
  }
}
