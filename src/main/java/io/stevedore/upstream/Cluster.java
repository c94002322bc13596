package io.stevedore.upstream;

import io.stevedore.config.ClusterConfig;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * This node's part in a cluster, as {@code cluster:} configures it: its peers (listed, or resolved
 * from DNS every so often), the owner fill in front of each upstream, and the secret hops are
 * proven with. A node without peers fills from its upstreams alone; with a secret it still serves
 * the hops of nodes that list it.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Cluster.class.getName());

  private final ClusterConfig config;
  private final Optional<PeerHop> hop;
  private final Optional<Peers> peers;
  private final ClusterListener listener;
  private final ScheduledExecutorService timer;
  private final OkHttpClient client;

  private Cluster(
      ClusterConfig config,
      Optional<Peers> peers,
      ClusterListener listener,
      ScheduledExecutorService timer) {
    this.config = config;
    this.hop = config.secret().map(PeerHop::new);
    this.peers = peers;
    this.listener = listener;
    this.timer = timer;
    // Its own pool: hops to peers must not wait behind upstream requests, nor count as them.
    this.client =
        new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(16, 5, TimeUnit.MINUTES))
            .socketFactory(ReadBufferedSockets.INSTANCE)
            .followRedirects(false)
            .build();
  }

  /**
   * Starts resolving {@code cluster.peers-dns}, when configured, at once and then every {@code
   * dns-refresh}.
   *
   * @param listener hears peer fetches and fallbacks (metrics)
   */
  public static Cluster start(ClusterConfig config, Clock clock, ClusterListener listener) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("cluster").factory());
    Optional<Peers> peers = Optional.empty();
    if (config.asksPeers()) {
      Supplier<List<URI>> members = () -> config.peers();
      if (config.peersDns().isPresent()) {
        DnsPeers dns = new DnsPeers(config.peersDns().get(), InetAddress::getAllByName);
        dns.refresh();
        long every = config.dnsRefresh().toMillis();
        timer.scheduleWithFixedDelay(dns::refresh, every, every, TimeUnit.MILLISECONDS);
        members = dns;
      }
      peers =
          Optional.of(new Peers(config.self().orElseThrow(), members, config.peerBackoff(), clock));
      LOG.info(() -> "cluster: this node is " + config.self().orElseThrow());
    }
    return new Cluster(config, peers, listener, timer);
  }

  /** {@code upstream} with owner fill in front of it; itself when this node has no peers. */
  public Upstream ownerFill(Upstream upstream) {
    if (peers.isEmpty()) {
      return upstream;
    }
    PeerClient owners =
        new PeerClient(
            client,
            upstream.config().name(),
            hop.orElseThrow(),
            config.peerTimeout(),
            upstream.config().readTimeout(),
            timer);
    return new OwnerFillUpstream(upstream, peers.get(), owners, listener);
  }

  /** What proves an internal hop; empty when this node has no cluster secret. */
  public Optional<PeerHop> hop() {
    return hop;
  }

  /** Each peer but this node, and whether it is asked now (it has not failed lately). */
  public Map<String, Boolean> peerHealth() {
    return peers.map(Peers::health).orElse(Map.of());
  }

  @Override
  public void close() {
    timer.shutdownNow();
    client.connectionPool().evictAll();
  }
}
