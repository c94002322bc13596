package io.stevedore.upstream;

import io.stevedore.config.ClusterConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The peers a DNS name resolves to, as a Kubernetes headless Service lists the ready pods of a
 * StatefulSet: each address, with the scheme and port of the configured URL, is a peer. {@link
 * #refresh()} resolves again; when the name does not resolve, the last peers stay.
 */
final class DnsPeers implements Supplier<List<URI>> {
  private static final Logger LOG = Logger.getLogger(DnsPeers.class.getName());

  /** Resolves a host name to all of its addresses. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final URI template;
  private final Resolver resolver;
  private volatile List<URI> current = List.of();

  DnsPeers(URI template, Resolver resolver) {
    this.template = template;
    this.resolver = resolver;
  }

  @Override
  public List<URI> get() {
    return current;
  }

  /** Resolves the name again. */
  void refresh() {
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(template.getHost());
    } catch (UnknownHostException e) {
      LOG.warning(
          () ->
              "cluster.peers-dns: "
                  + template.getHost()
                  + " does not resolve; keeping the "
                  + current.size()
                  + " peers it last named");
      return;
    }
    List<URI> peers = Arrays.stream(addresses).map(this::peer).distinct().sorted().toList();
    if (!peers.equals(current)) {
      LOG.info(() -> "cluster peers from " + template.getHost() + ": " + peers);
      current = peers;
    }
  }

  private URI peer(InetAddress address) {
    try {
      // The URI constructor brackets an IPv6 address.
      URI url =
          new URI(
              template.getScheme(),
              null,
              address.getHostAddress(),
              template.getPort(),
              null,
              null,
              null);
      return ClusterConfig.peerUrl("cluster.peers-dns", url);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("an address makes no URL: " + address, e);
    }
  }
}
