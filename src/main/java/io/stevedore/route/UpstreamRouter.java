package io.stevedore.route;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.Upstream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the upstream a request is for and the repository name to ask it for. A request names its
 * registry with {@code ?ns=<host>} (containerd adds it to every mirror request); without one it
 * goes to the default upstream. A registry that is not configured is an error, never a fetch:
 * Stevedore is not an open proxy.
 */
public final class UpstreamRouter {
  private final Map<String, Upstream> byAlias = new HashMap<>();
  private final Upstream defaultUpstream;

  public UpstreamRouter(List<Upstream> upstreams) {
    Upstream fallback = null;
    for (Upstream upstream : upstreams) {
      for (String alias : upstream.config().aliases()) {
        Upstream previous = byAlias.put(alias.toLowerCase(Locale.ROOT), upstream);
        if (previous != null && previous != upstream) {
          throw new IllegalArgumentException(
              "alias "
                  + alias
                  + " is claimed by upstreams "
                  + previous.config().name()
                  + " and "
                  + upstream.config().name());
        }
      }
      byAlias.putIfAbsent(
          upstream.config().url().getAuthority().toLowerCase(Locale.ROOT), upstream);
      if (upstream.config().isDefault()) {
        fallback = upstream;
      }
    }
    this.defaultUpstream = fallback;
  }

  /** Routes a request for {@code name}, with the {@code ns} query parameter if it had one. */
  public Route route(Optional<String> ns, String name) {
    Upstream upstream =
        ns.filter(s -> !s.isBlank()).map(this::byNamespace).orElseGet(this::defaultOrFail);
    RepositoryName repository = RepositoryName.parse(name);
    if (upstream.config().isDockerHub()) {
      repository = repository.withDockerHubLibrary();
    }
    return new Route(upstream, repository);
  }

  private Upstream byNamespace(String ns) {
    Upstream upstream = byAlias.get(ns.toLowerCase(Locale.ROOT));
    if (upstream == null) {
      throw new RegistryException(
          ErrorCode.NAME_UNKNOWN,
          "registry " + ns + " is not mirrored here (no upstream has it as an alias)");
    }
    return upstream;
  }

  private Upstream defaultOrFail() {
    if (defaultUpstream == null) {
      throw new RegistryException(
          ErrorCode.NAME_UNKNOWN, "no default upstream is configured; name a registry with ?ns=");
    }
    return defaultUpstream;
  }

  /** Where a request goes: the upstream and the repository name in it. */
  public record Route(Upstream upstream, RepositoryName repository) {}
}
