package io.stevedore.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Scale-out, as configured under {@code cluster:}: the other nodes (peers) this node asks for a
 * blob's owner before it goes upstream, and the shared secret they prove themselves with.
 *
 * @param self this node's URL as its peers reach it; it counts as a peer wherever it is listed
 * @param peers the nodes, listed statically ({@code http://host:port} each)
 * @param peersDns a URL whose host name resolves to every node's address (a Kubernetes headless
 *     Service); each address with the URL's scheme and port is a peer
 * @param dnsRefresh how often {@code peersDns} is resolved again
 * @param secret the secret every node of the cluster shares; without it a node serves no peer
 * @param peerTimeout how long an owner may take to answer (connect and first byte) before this node
 *     fetches from the upstream itself
 * @param peerBackoff how long a peer that failed is not asked again
 */
public record ClusterConfig(
    Optional<URI> self,
    List<URI> peers,
    Optional<URI> peersDns,
    Duration dnsRefresh,
    Optional<String> secret,
    Duration peerTimeout,
    Duration peerBackoff) {

  /** Shorter secrets are guessable; 16 characters from a password generator are not. */
  public static final int MIN_SECRET_LENGTH = 16;

  /** A node on its own: no peers, serves no internal hop. */
  public static final ClusterConfig OFF =
      new ClusterConfig(
          Optional.empty(),
          List.of(),
          Optional.empty(),
          Duration.ofSeconds(10),
          Optional.empty(),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10));

  public ClusterConfig {
    peers = peers.stream().map(p -> peerUrl("cluster.peers", p)).toList();
    self = self.map(s -> peerUrl("cluster.self", s));
    peersDns = peersDns.map(d -> peerUrl("cluster.peers-dns", d));
    positive("cluster.dns-refresh", dnsRefresh);
    positive("cluster.peer-timeout", peerTimeout);
    positive("cluster.peer-backoff", peerBackoff);
    if (secret.isPresent() && secret.get().length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException(
          "cluster.secret: must be at least " + MIN_SECRET_LENGTH + " characters");
    }
    if (!peers.isEmpty() || peersDns.isPresent()) {
      String with = peers.isEmpty() ? "cluster.peers-dns" : "cluster.peers";
      if (secret.isEmpty()) {
        throw new IllegalArgumentException(
            "cluster.secret-file: required with "
                + with
                + ": peers refuse a node that cannot prove it shares their secret");
      }
      if (self.isEmpty()) {
        throw new IllegalArgumentException(
            "cluster.self: required with "
                + with
                + ": this node's URL as its peers reach it, so it knows which peer it is");
      }
    }
  }

  /** Whether this node asks peers: it has some, listed or by DNS. */
  public boolean asksPeers() {
    return !peers.isEmpty() || peersDns.isPresent();
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "ClusterConfig[self="
        + self
        + ", peers="
        + peers
        + ", peersDns="
        + peersDns
        + ", secret="
        + (secret.isPresent() ? "****" : "none")
        + "]";
  }

  /**
   * A peer's URL in one spelling, {@code scheme://host:port} in lower case, so every node names a
   * peer alike: the owner of a digest is chosen by hashing these names.
   */
  public static URI peerUrl(String key, URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException(key + ": '" + url + "' is not an http(s)://host:port URL");
    }
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    if (!(path.isEmpty() || path.equals("/")) || url.getRawQuery() != null) {
      throw new IllegalArgumentException(
          key + ": '" + url + "' has a path; a peer is http(s)://host:port only");
    }
    int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    return URI.create(scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + ":" + port);
  }

  private static void positive(String key, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(key + ": must be positive, got " + duration);
    }
  }
}
