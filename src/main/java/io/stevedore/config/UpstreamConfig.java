package io.stevedore.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One upstream registry as configured under {@code upstreams:}. Build it with {@link
 * #builder(String, URI)}; every setting but name and URL has a default.
 *
 * @param name how logs, metrics and error messages name it
 * @param url base URL, e.g. {@code https://registry-1.docker.io}
 * @param aliases registry hosts it answers for ({@code docker.io}): matched against {@code ?ns=}, a
 *     first path segment, and the Host header
 * @param isDefault whether requests that name no upstream go here
 * @param tagFreshness how long a tag's digest is served without asking the upstream
 * @param credentials how to log in, {@link Credentials#NONE} for anonymous
 * @param connectTimeout TCP connect timeout
 * @param readTimeout longest silence while reading a response
 * @param offline never contact the upstream; serve only what is cached
 * @param allow repository globs that may be pulled (empty: all); {@code *} stays within one path
 *     segment, {@code **} crosses segments
 * @param deny repository globs that may not be pulled; deny wins over allow
 * @param caFile extra CA certificates (PEM) to trust for this upstream
 * @param insecure trust any certificate and host name (labs only)
 * @param proxy an HTTP proxy for egress to this upstream
 * @param maxConnections how many requests may be open to this upstream at once
 * @param negativeTtl how long an upstream 404 for a manifest or tag is remembered
 * @param staleOn404 serve a cached tag when the upstream says it no longer exists
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
    boolean offline,
    List<String> allow,
    List<String> deny,
    Optional<Path> caFile,
    boolean insecure,
    Optional<URI> proxy,
    int maxConnections,
    Duration negativeTtl,
    boolean staleOn404) {

  public UpstreamConfig {
    aliases = List.copyOf(aliases);
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an upstream needs a name");
    }
    if (url == null || url.getHost() == null) {
      throw new IllegalArgumentException("upstream " + name + " needs an absolute url");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "upstream " + name + ": max-connections must be at least 1, got " + maxConnections);
    }
  }

  /** A builder with the defaults for everything but name and URL. */
  public static Builder builder(String name, URI url) {
    return new Builder(name, url);
  }

  /** A config with defaults for everything but name and URL; handy in tests. */
  public static UpstreamConfig of(String name, URI url) {
    return builder(name, url).build();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder(name, url)
        .aliases(aliases)
        .isDefault(isDefault)
        .tagFreshness(tagFreshness)
        .credentials(credentials)
        .connectTimeout(connectTimeout)
        .readTimeout(readTimeout)
        .offline(offline)
        .allow(allow)
        .deny(deny)
        .caFile(caFile.orElse(null))
        .insecure(insecure)
        .proxy(proxy.orElse(null))
        .maxConnections(maxConnections)
        .negativeTtl(negativeTtl)
        .staleOn404(staleOn404);
  }

  /** Docker Hub keeps official images under {@code library/}; it answers for docker.io. */
  public boolean isDockerHub() {
    return aliases.contains("docker.io") || "registry-1.docker.io".equals(url.getHost());
  }

  public UpstreamConfig withCredentials(Credentials newCredentials) {
    return toBuilder().credentials(newCredentials).build();
  }

  public UpstreamConfig withTimeouts(Duration connect, Duration read) {
    return toBuilder().connectTimeout(connect).readTimeout(read).build();
  }

  /** Fluent construction of an {@link UpstreamConfig}. */
  public static final class Builder {
    private final String name;
    private final URI url;
    private List<String> aliases = List.of();
    private boolean isDefault = true;
    private Duration tagFreshness = Duration.ofMinutes(5);
    private Credentials credentials = Credentials.NONE;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private boolean offline;
    private List<String> allow = List.of();
    private List<String> deny = List.of();
    private Path caFile;
    private boolean insecure;
    private URI proxy;
    private int maxConnections = 32;
    private Duration negativeTtl = Duration.ofSeconds(30);
    private boolean staleOn404;

    private Builder(String name, URI url) {
      this.name = name;
      this.url = url;
    }

    public Builder aliases(List<String> value) {
      aliases = value;
      return this;
    }

    public Builder isDefault(boolean value) {
      isDefault = value;
      return this;
    }

    public Builder tagFreshness(Duration value) {
      tagFreshness = value;
      return this;
    }

    public Builder credentials(Credentials value) {
      credentials = value;
      return this;
    }

    public Builder connectTimeout(Duration value) {
      connectTimeout = value;
      return this;
    }

    public Builder readTimeout(Duration value) {
      readTimeout = value;
      return this;
    }

    public Builder offline(boolean value) {
      offline = value;
      return this;
    }

    public Builder allow(List<String> value) {
      allow = value;
      return this;
    }

    public Builder deny(List<String> value) {
      deny = value;
      return this;
    }

    /** Extra CA certificates in PEM; null for none. */
    public Builder caFile(Path value) {
      caFile = value;
      return this;
    }

    public Builder insecure(boolean value) {
      insecure = value;
      return this;
    }

    /** An egress HTTP proxy such as {@code http://proxy.corp:3128}; null for none. */
    public Builder proxy(URI value) {
      proxy = value;
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    public Builder negativeTtl(Duration value) {
      negativeTtl = value;
      return this;
    }

    public Builder staleOn404(boolean value) {
      staleOn404 = value;
      return this;
    }

    public UpstreamConfig build() {
      return new UpstreamConfig(
          name,
          url,
          aliases,
          isDefault,
          tagFreshness,
          credentials,
          connectTimeout,
          readTimeout,
          offline,
          allow,
          deny,
          Optional.ofNullable(caFile),
          insecure,
          Optional.ofNullable(proxy),
          maxConnections,
          negativeTtl,
          staleOn404);
    }
  }
}
