package io.stevedore.auth;

import io.stevedore.config.AccessRule;
import io.stevedore.oci.RepositoryName;
import io.stevedore.route.RepositoryGlob;
import java.util.List;
import java.util.Set;

/**
 * Which client may pull which repositories of which upstream, from {@code auth.rules}. A rule
 * applies to a request when it names the client (a user, {@code *} for every user, or anonymous)
 * and covers the upstream. The request is permitted when an applying rule allows the repository and
 * none denies it: deny wins, across rules too. Without any rule, every authenticated user may pull
 * everything and anonymous clients nothing.
 */
final class AccessRules {
  private static final String EVERY_USER = "*";

  private final List<Rule> rules;

  private record Rule(
      Set<String> users,
      boolean anonymous,
      Set<String> upstreams,
      List<RepositoryGlob> allow,
      List<RepositoryGlob> deny) {

    boolean appliesTo(Client client, String upstream) {
      boolean names =
          client.anonymous()
              ? anonymous
              : users.contains(client.user()) || users.contains(EVERY_USER);
      return names && (upstreams.isEmpty() || upstreams.contains(upstream));
    }

    boolean allows(String repository) {
      return allow.isEmpty() || allow.stream().anyMatch(g -> g.matches(repository));
    }

    boolean denies(String repository) {
      return deny.stream().anyMatch(g -> g.matches(repository));
    }
  }

  AccessRules(List<AccessRule> configured) {
    this.rules =
        configured.stream()
            .map(
                r ->
                    new Rule(
                        Set.copyOf(r.users()),
                        r.anonymous(),
                        Set.copyOf(r.upstreams()),
                        r.allow().stream().map(RepositoryGlob::parse).toList(),
                        r.deny().stream().map(RepositoryGlob::parse).toList()))
            .toList();
  }

  boolean permits(Client client, String upstream, RepositoryName repository) {
    if (rules.isEmpty()) {
      return !client.anonymous();
    }
    List<Rule> applying = rules.stream().filter(r -> r.appliesTo(client, upstream)).toList();
    String name = repository.value();
    return applying.stream().noneMatch(r -> r.denies(name))
        && applying.stream().anyMatch(r -> r.allows(name));
  }

  /** Whether any rule lets clients without credentials pull something. */
  boolean anonymousAllowed() {
    return rules.stream().anyMatch(Rule::anonymous);
  }
}
