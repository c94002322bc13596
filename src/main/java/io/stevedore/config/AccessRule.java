package io.stevedore.config;

import java.util.List;

/**
 * Who may pull what, as one entry of {@code auth.rules}.
 *
 * @param users the htpasswd users it is for; {@code *} means every authenticated user
 * @param anonymous whether it is also for clients without credentials
 * @param upstreams the upstream names it covers; empty covers all
 * @param allow repository globs that may be pulled (empty: all), as in {@link UpstreamConfig#allow}
 * @param deny repository globs that may not be pulled; a deny of any rule that applies wins
 */
public record AccessRule(
    List<String> users,
    boolean anonymous,
    List<String> upstreams,
    List<String> allow,
    List<String> deny) {

  public AccessRule {
    users = List.copyOf(users);
    upstreams = List.copyOf(upstreams);
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    if (users.isEmpty() && !anonymous) {
      throw new IllegalArgumentException("a rule needs users or anonymous: true");
    }
  }
}
