package io.stevedore.upstream;

import java.net.URI;

/**
 * An owner that could not serve a hop: the node then fetches from the upstream itself.
 *
 * @see #reason()
 */
final class PeerFailure extends Exception {
  private final String reason;

  /**
   * @param reason a metric label: unreachable, timeout (no answer within the peer timeout), refused
   *     (401 or 403: the secrets differ), or error (any other answer)
   */
  PeerFailure(URI peer, String reason, String detail) {
    super("peer " + peer + " " + detail);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }
}
