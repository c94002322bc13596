package io.stevedore.upstream;

import io.stevedore.oci.Digest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The nodes of the cluster as this node sees them, and which one owns a digest: {@link Rendezvous}
 * over this node and the peers that have not failed lately. A peer that fails (down, refusing,
 * slow) is left out for the backoff, so its digests go to the next owner meanwhile; every node that
 * saw it fail agrees on that next owner.
 */
public final class Peers {
  private final URI self;
  private final Supplier<List<URI>> members;
  private final Duration backoff;
  private final Clock clock;
  private final Map<URI, Instant> failedUntil = new ConcurrentHashMap<>();

  /**
   * @param self this node, always a candidate owner
   * @param members the peers now (listed, or as DNS last said); self may be among them
   * @param backoff how long a failed peer is left out
   */
  public Peers(URI self, Supplier<List<URI>> members, Duration backoff, Clock clock) {
    this.self = self;
    this.members = members;
    this.backoff = backoff;
    this.clock = clock;
  }

  /** The owner of {@code digest} when it is another node; empty when this node owns it. */
  public Optional<URI> ownerOf(Digest digest) {
    Instant now = clock.instant();
    List<URI> candidates = new ArrayList<>();
    candidates.add(self);
    for (URI peer : members.get()) {
      if (!peer.equals(self) && up(peer, now)) {
        candidates.add(peer);
      }
    }
    URI owner = Rendezvous.owner(candidates, digest);
    return owner.equals(self) ? Optional.empty() : Optional.of(owner);
  }

  /** {@code peer} failed to serve: leave it out for the backoff. */
  public void failed(URI peer) {
    failedUntil.put(peer, clock.instant().plus(backoff));
  }

  /** {@code peer} answered: it is a candidate again. */
  public void answered(URI peer) {
    failedUntil.remove(peer);
  }

  /** Each peer but this node, by URL, and whether it is a candidate owner now. */
  public Map<String, Boolean> health() {
    Instant now = clock.instant();
    Map<String, Boolean> health = new TreeMap<>();
    for (URI peer : members.get()) {
      if (!peer.equals(self)) {
        health.put(peer.toString(), up(peer, now));
      }
    }
    return health;
  }

  private boolean up(URI peer, Instant now) {
    Instant until = failedUntil.get(peer);
    return until == null || !now.isBefore(until);
  }
}
