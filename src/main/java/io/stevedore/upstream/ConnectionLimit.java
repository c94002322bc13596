package io.stevedore.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * Caps how many requests are open to one upstream at once. A request holds its permit from before
 * it is sent until its response is closed (for a blob, until the caller closes the stream), so a
 * slow consumer counts against the cap just as a slow upstream does. Callers over the cap wait in
 * arrival order; on virtual threads that costs nothing but the wait.
 *
 * <p>It must be the outermost application interceptor: one permit then covers a whole logical
 * request, with its auth retry and redirects, and the token requests made inside it (on a client
 * without this interceptor) cannot deadlock waiting for permits their own request holds.
 */
final class ConnectionLimit implements Interceptor {

  private final Semaphore permits;

  ConnectionLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a connection limit must be at least 1, got " + max);
    }
    this.permits = new Semaphore(max, true);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a connection to upstream");
    }
    Permit permit = new Permit();
    try {
      Response response = chain.proceed(chain.request());
      return response.newBuilder().body(new ReleasingBody(response.body(), permit)).build();
    } catch (Throwable e) {
      permit.release();
      throw e;
    }
  }

  /** Permits free now; all of them when nothing is open. */
  int available() {
    return permits.availablePermits();
  }

  /** Requests waiting for a permit. */
  int waiting() {
    return permits.getQueueLength();
  }

  /** One request's permit: a response may be closed more than once, the permit goes back once. */
  private final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        permits.release();
      }
    }
  }

  /** The response body, giving the permit back when it is closed (by any of its views). */
  private static final class ReleasingBody extends ResponseBody {
    private final ResponseBody body;
    private final BufferedSource source;

    ReleasingBody(ResponseBody body, Permit permit) {
      this.body = body;
      this.source =
          Okio.buffer(
              new ForwardingSource(body.source()) {
                @Override
                public void close() throws IOException {
                  try {
                    super.close();
                  } finally {
                    permit.release();
                  }
                }
              });
    }

    @Override
    public MediaType contentType() {
      return body.contentType();
    }

    @Override
    public long contentLength() {
      return body.contentLength();
    }

    @Override
    public BufferedSource source() {
      return source;
    }
  }
}
