package io.stevedore.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One upstream registry as configured under {@code upstreams:}.
 *
 * @param name how logs, metrics and error messages name it
 * @param url base URL, e.g. {@code https://registry-1.docker.io}
 * @param aliases registry hosts it answers for ({@code docker.io}), matched against {@code ?ns=}
 * @param isDefault whether requests that name no upstream go here
 * @param tagFreshness how long a tag's digest is served without asking the upstream
 * @param credentials how to log in, {@link Credentials#NONE} for anonymous
 * @param connectTimeout TCP connect timeout
 * @param readTimeout longest silence while reading a response
 * @param offline never contact the upstream; serve only what is cached
 */
public record UpstreamConfig(
    String name,
    URI url,
    List<String> aliases,
    boolean isDefault,
    Duration tagFreshness,
    Credentials credentials,
    Duration connectTimeout,
    Duration readTimeout,
    boolean offline) {

  public static final Duration DEFAULT_TAG_FRESHNESS = Duration.ofMinutes(5);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

  public UpstreamConfig {
    aliases = List.copyOf(aliases);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an upstream needs a name");
    }
    if (url == null || url.getHost() == null) {
      throw new IllegalArgumentException("upstream " + name + " needs an absolute url");
    }
  }

  /** A config with defaults for everything but name and URL; handy in tests. */
  public static UpstreamConfig of(String name, URI url) {
    return new UpstreamConfig(
        name,
        url,
        List.of(),
        true,
        DEFAULT_TAG_FRESHNESS,
        Credentials.NONE,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_READ_TIMEOUT,
        false);
  }

  /** Docker Hub keeps official images under {@code library/}; it answers for docker.io. */
  public boolean isDockerHub() {
    return aliases.contains("docker.io") || "registry-1.docker.io".equals(url.getHost());
  }

  public UpstreamConfig withCredentials(Credentials newCredentials) {
    return new UpstreamConfig(
        name,
        url,
        aliases,
        isDefault,
        tagFreshness,
        newCredentials,
        connectTimeout,
        readTimeout,
        offline);
  }

  public UpstreamConfig withTimeouts(Duration connect, Duration read) {
    return new UpstreamConfig(
        name, url, aliases, isDefault, tagFreshness, credentials, connect, read, offline);
  }
}
