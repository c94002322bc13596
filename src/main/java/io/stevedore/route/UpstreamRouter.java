package io.stevedore.route;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.Upstream;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the upstream a request is for and the repository name to ask it for, in this order:
 *
 * <ol>
 *   <li>{@code ?ns=<host>} (containerd adds it to every mirror request);
 *   <li>a first path segment that names a registry ({@code /v2/ghcr.io/org/app/...}), as podman and
 *       CRI-O send with a mirror {@code location} that has a path;
 *   <li>the Host header, for a mirror reached under several virtual host names;
 *   <li>the default upstream.
 * </ol>
 *
 * Each is matched against the upstreams' aliases (and their own {@code host:port}). A registry that
 * is not configured is an error, never a fetch: Stevedore is not an open proxy. The upstream's
 * allow and deny patterns are checked on every route.
 */
public final class UpstreamRouter {
  private final Map<String, Upstream> byAlias = new HashMap<>();
  private final Map<Upstream, RepositoryPolicy> policies = new IdentityHashMap<>();
  private final Upstream defaultUpstream;

  private final List<Upstream> upstreams;

  public UpstreamRouter(List<Upstream> upstreams) {
    this.upstreams = List.copyOf(upstreams);
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
      policies.put(upstream, new RepositoryPolicy(upstream.config()));
      if (upstream.config().isDefault()) {
        fallback = upstream;
      }
    }
    this.defaultUpstream = fallback;
  }

  /**
   * Routes a request for {@code name}.
   *
   * @param ns the {@code ns} query parameter, if the request had one
   * @param host the Host header, if any
   * @throws RegistryException NAME_UNKNOWN for a registry that is not mirrored, NAME_INVALID for a
   *     bad name, DENIED for a repository the upstream's patterns exclude
   */
  public Route route(Optional<String> ns, Optional<String> host, String name) {
    Route route =
        ns.filter(s -> !s.isBlank())
            .map(s -> new Route(byNamespace(s), RepositoryName.parse(name)))
            .or(() -> byPrefix(name))
            .or(() -> host.flatMap(this::byHost).map(u -> new Route(u, RepositoryName.parse(name))))
            .orElseGet(() -> new Route(defaultOrFail(), RepositoryName.parse(name)));
    RepositoryName repository = route.repository();
    if (route.upstream().config().isDockerHub()) {
      repository = repository.withDockerHubLibrary();
    }
    policies.get(route.upstream()).check(repository);
    return new Route(route.upstream(), repository);
  }

  /**
   * Routes an internal hop from a peer: to the upstream it names, without the owner fill (a hop is
   * never passed on), for {@code name} as the peer's own routing normalised it.
   *
   * @throws RegistryException NAME_UNKNOWN when no upstream has that name here, NAME_INVALID for a
   *     bad name, DENIED for a repository the upstream's patterns exclude
   */
  public Route direct(String upstreamName, String name) {
    Upstream upstream =
        upstreams.stream()
            .filter(u -> u.config().name().equals(upstreamName))
            .findFirst()
            .orElseThrow(
                () ->
                    new RegistryException(
                        ErrorCode.NAME_UNKNOWN,
                        "a peer asked for upstream "
                            + upstreamName
                            + ", which is not configured here"));
    RepositoryName repository = RepositoryName.parse(name);
    policies.get(upstream).check(repository);
    return new Route(upstream.direct(), repository);
  }

  /**
   * A first segment shaped like a registry host (with a dot or a port, or {@code localhost}, as
   * Docker's reference grammar has it) must be a configured alias.
   */
  private Optional<Route> byPrefix(String name) {
    int slash = name.indexOf('/');
    if (slash <= 0) {
      return Optional.empty();
    }
    String first = name.substring(0, slash).toLowerCase(Locale.ROOT);
    Upstream upstream = byAlias.get(first);
    if (upstream != null) {
      return Optional.of(new Route(upstream, RepositoryName.parse(name.substring(slash + 1))));
    }
    if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
      throw notMirrored(first);
    }
    return Optional.empty();
  }

  private Upstream byNamespace(String ns) {
    Upstream upstream = byAlias.get(ns.toLowerCase(Locale.ROOT));
    if (upstream == null) {
      throw notMirrored(ns);
    }
    return upstream;
  }

  /** A virtual host: the Host header as sent, or without its port. */
  private Optional<Upstream> byHost(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    int colon = lower.lastIndexOf(':');
    String bare = colon > 0 && lower.indexOf(']') < colon ? lower.substring(0, colon) : lower;
    return Optional.ofNullable(byAlias.getOrDefault(lower, byAlias.get(bare)));
  }

  private static RegistryException notMirrored(String registry) {
    return new RegistryException(
        ErrorCode.NAME_UNKNOWN,
        "registry " + registry + " is not mirrored here (no upstream has it as an alias)");
  }

  private Upstream defaultOrFail() {
    if (defaultUpstream == null) {
      throw new RegistryException(
          ErrorCode.NAME_UNKNOWN, "no default upstream is configured; name a registry with ?ns=");
    }
    return defaultUpstream;
  }

  /** Where a request goes: the upstream and the repository name in it. */
  /** Every configured upstream, in the order of the config. */
  public List<Upstream> upstreams() {
    return upstreams;
  }

  public record Route(Upstream upstream, RepositoryName repository) {}
}
