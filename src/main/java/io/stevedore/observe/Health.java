package io.stevedore.observe;

import io.stevedore.cache.CacheContents;
import io.stevedore.oci.Json;
import io.stevedore.upstream.Upstream;
import java.util.List;
import java.util.Optional;

/**
 * Whether the mirror can do its job: ready while its store can take new content. An unreachable
 * upstream does not make it unready (cached content is still served, and another replica would not
 * reach that upstream either); it shows among the upstreams' states.
 */
public final class Health {
  private final CacheContents contents;
  private final List<Upstream> upstreams;

  public Health(CacheContents contents, List<Upstream> upstreams) {
    this.contents = contents;
    this.upstreams = List.copyOf(upstreams);
  }

  /** Why the mirror is not ready; empty when it is. */
  public Optional<String> unready() {
    return contents.unwritable();
  }

  /** What each upstream looks like from here. */
  public List<UpstreamState> upstreams() {
    return upstreams.stream()
        .map(
            u ->
                new UpstreamState(
                    u.config().name(),
                    u.config().url().toString(),
                    !u.circuitOpen(),
                    u.rateLimit().map(limit -> limit.remaining()).filter(r -> r >= 0)))
        .toList();
  }

  /**
   * @param reachable false while its circuit breaker is open (calls fail at once)
   * @param rateLimitRemaining what its last answer said of its rate-limit budget
   */
  public record UpstreamState(
      String name, String url, boolean reachable, Optional<Integer> rateLimitRemaining) {
    /** As {@code /readyz?verbose} and the status page show it. */
    public String json() {
      return "{\"name\":"
          + Json.quote(name)
          + ",\"url\":"
          + Json.quote(url)
          + ",\"reachable\":"
          + reachable
          + ",\"rateLimitRemaining\":"
          + rateLimitRemaining.map(String::valueOf).orElse("null")
          + "}";
    }
  }

  /** Every upstream's state, as a JSON array. */
  public String upstreamsJson() {
    return upstreams().stream()
        .map(UpstreamState::json)
        .collect(java.util.stream.Collectors.joining(",", "[", "]"));
  }
}
