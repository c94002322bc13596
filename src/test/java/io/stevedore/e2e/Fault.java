package io.stevedore.e2e;

import java.util.Map;

/**
 * One thing {@link FaultyUpstream} does wrong to one request instead of answering it faithfully.
 * Offsets count body bytes. {@link #then} runs once the fault was done, on the proxy's thread (to
 * change something between a broken request and the retry it causes).
 *
 * @param kind what goes wrong
 * @param at the body offset where it goes wrong (or the drip's bytes per second)
 * @param status the status a {@link Kind#STATUS} fault answers with
 * @param headers the headers it adds, e.g. {@code Retry-After}
 */
record Fault(Kind kind, long at, int status, Map<String, String> headers, Runnable then) {
  private static final Runnable NOTHING = () -> {};

  enum Kind {
    /** An error answer; the registry is not asked. */
    STATUS,
    /** The connection is reset (RST) after {@code at} body bytes. */
    RESET,
    /** Silence after {@code at} body bytes, until the client gives up and closes. */
    STALL,
    /** A clean close (FIN) after {@code at} body bytes, short of the Content-Length sent. */
    TRUNCATE,
    /** The whole body, at {@code at} bytes per second. */
    DRIP,
    /** The byte at {@code at} inverted: right length, wrong content. */
    CORRUPT,
    /** {@code at} bytes more than the blob, with a Content-Length that counts them. */
    EXTEND,
    /** {@code at} bytes more than the blob, chunked: no length announced at all. */
    EXTEND_CHUNKED
  }

  static Fault status(int status) {
    return status(status, Map.of());
  }

  static Fault status(int status, Map<String, String> headers) {
    return new Fault(Kind.STATUS, 0, status, headers, NOTHING);
  }

  static Fault reset(long at) {
    return body(Kind.RESET, at);
  }

  static Fault stall(long at) {
    return body(Kind.STALL, at);
  }

  static Fault truncate(long at) {
    return body(Kind.TRUNCATE, at);
  }

  static Fault drip(long bytesPerSecond) {
    return body(Kind.DRIP, bytesPerSecond);
  }

  static Fault corrupt(long at) {
    return body(Kind.CORRUPT, at);
  }

  static Fault extend(long extra) {
    return body(Kind.EXTEND, extra);
  }

  static Fault extendChunked(long extra) {
    return body(Kind.EXTEND_CHUNKED, extra);
  }

  private static Fault body(Kind kind, long at) {
    return new Fault(kind, at, 0, Map.of(), NOTHING);
  }

  /** This fault, followed by {@code action} once it was done. */
  Fault then(Runnable action) {
    return new Fault(kind, at, status, headers, action);
  }

  @Override
  public String toString() {
    return kind == Kind.STATUS ? status + " " + headers : kind + "@" + at;
  }
}
