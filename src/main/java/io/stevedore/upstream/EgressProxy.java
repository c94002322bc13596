package io.stevedore.upstream;

import io.stevedore.config.UpstreamConfig;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/** The HTTP proxy an upstream's traffic leaves through, from its {@code proxy} setting. */
final class EgressProxy {

  private EgressProxy() {}

  /**
   * The proxy for {@code config}, empty when it names none.
   *
   * @throws IllegalArgumentException when the setting is not an {@code http://host:port} URI
   */
  static Optional<Proxy> of(UpstreamConfig config) {
    return config.proxy().map(uri -> proxy(config.name(), uri));
  }

  private static Proxy proxy(String upstream, URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    // Checked first, and never quoted: the URI would carry the password into the message.
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "upstream " + upstream + ": proxy credentials are not supported");
    }
    if (!scheme.equals("http") || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "upstream " + upstream + ": proxy must be http://host:port, got " + uri);
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    // Unresolved: OkHttp resolves the proxy host itself, with its Dns, when it connects.
    return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
  }
}
