package io.stevedore.route;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.util.List;
import java.util.Optional;

/**
 * Which repositories of one upstream may be pulled: those matching an allow pattern (all when there
 * is none), minus those matching a deny pattern.
 */
final class RepositoryPolicy {
  private final String upstream;
  private final List<RepositoryGlob> allow;
  private final List<RepositoryGlob> deny;

  RepositoryPolicy(UpstreamConfig config) {
    this.upstream = config.name();
    this.allow = config.allow().stream().map(RepositoryGlob::parse).toList();
    this.deny = config.deny().stream().map(RepositoryGlob::parse).toList();
  }

  /**
   * @throws RegistryException DENIED (403) when {@code repository} may not be pulled
   */
  void check(RepositoryName repository) {
    String name = repository.value();
    Optional<RepositoryGlob> denied = deny.stream().filter(g -> g.matches(name)).findFirst();
    if (denied.isPresent()) {
      throw denied(name, "it matches the deny pattern " + denied.get().glob());
    }
    if (!allow.isEmpty() && allow.stream().noneMatch(g -> g.matches(name))) {
      throw denied(name, "it matches no allow pattern");
    }
  }

  private RegistryException denied(String name, String why) {
    return new RegistryException(
        ErrorCode.DENIED,
        "repository " + name + " of upstream " + upstream + " is not mirrored: " + why);
  }
}
