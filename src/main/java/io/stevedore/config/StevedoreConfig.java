package io.stevedore.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The whole configuration, as read from {@code conf/stevedore.yaml} and the environment.
 *
 * @param host the address the server binds
 * @param port the port it listens on
 * @param limits what the registry listener takes from one request before it answers
 * @param storagePath the data directory (the RocksDB store)
 * @param maxSize the byte quota of the store
 * @param manifestMemory the byte bound of the in-memory manifest tier
 * @param fillTimeout the longest one blob's fetch from upstream may take
 * @param directWrites whether blob files are written past the page cache (O_DIRECT)
 * @param upstreams the registries it mirrors; exactly one is the default
 * @param tls HTTPS on the edge; plain HTTP when empty
 * @param admin the admin listener
 * @param accessLog the access log
 * @param auth client authentication and access rules
 * @param cluster the peers this node asks for a blob's owner, and their shared secret
 */
public record StevedoreConfig(
    String host,
    int port,
    ServerLimits limits,
    Path storagePath,
    long maxSize,
    long manifestMemory,
    java.time.Duration fillTimeout,
    boolean directWrites,
    List<UpstreamConfig> upstreams,
    Optional<ServerTls> tls,
    AdminConfig admin,
    AccessLogConfig accessLog,
    AuthConfig auth,
    ClusterConfig cluster) {

  public StevedoreConfig {
    upstreams = List.copyOf(upstreams);
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(accessLog, "accessLog");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(cluster, "cluster");
    if (upstreams.stream().filter(UpstreamConfig::isDefault).count() > 1) {
      throw new IllegalArgumentException("upstreams: only one upstream may be the default");
    }
    Set<String> names = upstreams.stream().map(UpstreamConfig::name).collect(Collectors.toSet());
    for (int i = 0; i < auth.rules().size(); i++) {
      for (String upstream : auth.rules().get(i).upstreams()) {
        if (!names.contains(upstream)) {
          // A misspelt name would silently grant nothing (or, in a deny, refuse nothing).
          throw new IllegalArgumentException(
              "auth.rules[" + i + "].upstreams: no upstream is named " + upstream);
        }
      }
    }
  }

  public Optional<UpstreamConfig> defaultUpstream() {
    return upstreams.stream().filter(UpstreamConfig::isDefault).findFirst();
  }
}
