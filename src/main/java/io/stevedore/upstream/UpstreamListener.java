package io.stevedore.upstream;

/**
 * Hears every exchange with an upstream registry, each attempt on its own (an auth retry is a
 * second answer): how metrics count upstream requests without the client knowing them.
 */
public interface UpstreamListener {
  UpstreamListener NONE = new UpstreamListener() {};

  /**
   * The upstream answered.
   *
   * @param bytes the answer's Content-Length, -1 when it did not say
   */
  default void answered(String upstream, String method, int status, long bytes) {}

  /** The request got no answer (refused, timed out, broken). */
  default void unanswered(String upstream, String method) {}
}
