package io.stevedore.config.yaml;

import io.stevedore.config.AccessRule;
import io.stevedore.config.AuthConfig;
import io.stevedore.config.ClusterConfig;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A loaded configuration written back as YAML, every default filled in and every secret (a
 * password, a token) masked: what {@code stevedore config check} shows, so an operator sees what
 * the mirror would run with.
 */
public final class EffectiveConfig {
  static final String MASK = "'********'";

  private EffectiveConfig() {}

  public static String yaml(StevedoreConfig config) {
    StringBuilder out = new StringBuilder();
    out.append("server:\n");
    line(out, 2, "host", config.host());
    line(out, 2, "port", config.port());
    line(out, 2, "max-request-line", config.limits().maxRequestLine());
    line(out, 2, "max-header-size", config.limits().maxHeaderSize());
    line(out, 2, "header-timeout", duration(config.limits().headerTimeout()));
    line(out, 2, "idle-timeout", duration(config.limits().idleTimeout()));
    config
        .tls()
        .ifPresent(
            tls -> {
              out.append("  tls:\n");
              line(out, 4, "cert-file", tls.certFile());
              line(out, 4, "key-file", tls.keyFile());
              tls.clientCaFile().ifPresent(ca -> line(out, 4, "client-ca-file", ca));
            });
    out.append("admin:\n");
    line(out, 2, "host", config.admin().host());
    line(out, 2, "port", config.admin().port());
    config.admin().token().ifPresent(token -> line(out, 2, "token-file", MASK));
    out.append("access-log:\n");
    line(out, 2, "enabled", config.accessLog().enabled());
    config.accessLog().file().ifPresent(file -> line(out, 2, "file", file));
    out.append("storage:\n");
    line(out, 2, "path", config.storagePath());
    line(out, 2, "max-size", config.maxSize());
    line(out, 2, "manifest-memory", config.manifestMemory());
    line(out, 2, "fill-timeout", duration(config.fillTimeout()));
    line(out, 2, "direct-writes", String.valueOf(config.directWrites()));
    out.append("upstreams:\n");
    config.upstreams().forEach(upstream -> upstream(out, upstream));
    auth(out, config.auth());
    cluster(out, config.cluster());
    return out.toString();
  }

  private static void cluster(StringBuilder out, ClusterConfig cluster) {
    out.append("cluster:\n");
    cluster.self().ifPresent(self -> line(out, 2, "self", self));
    line(out, 2, "peers", list(cluster.peers().stream().map(URI::toString).toList()));
    cluster.peersDns().ifPresent(dns -> line(out, 2, "peers-dns", dns));
    line(out, 2, "dns-refresh", duration(cluster.dnsRefresh()));
    cluster.secret().ifPresent(secret -> line(out, 2, "secret", MASK));
    line(out, 2, "peer-timeout", duration(cluster.peerTimeout()));
    line(out, 2, "peer-backoff", duration(cluster.peerBackoff()));
  }

  private static void auth(StringBuilder out, AuthConfig auth) {
    out.append("auth:\n");
    line(out, 2, "mode", auth.mode().name().toLowerCase(java.util.Locale.ROOT));
    auth.htpasswdFile().ifPresent(file -> line(out, 2, "htpasswd-file", file));
    line(out, 2, "token-ttl", duration(auth.tokenTtl()));
    auth.tokenKeyFile().ifPresent(file -> line(out, 2, "token-key-file", file));
    auth.tokenRealm().ifPresent(realm -> line(out, 2, "token-realm", realm));
    if (!auth.rules().isEmpty()) {
      out.append("  rules:\n");
    }
    for (AccessRule rule : auth.rules()) {
      out.append("    - users: ").append(list(rule.users())).append('\n');
      line(out, 6, "anonymous", rule.anonymous());
      line(out, 6, "upstreams", list(rule.upstreams()));
      line(out, 6, "allow", list(rule.allow()));
      line(out, 6, "deny", list(rule.deny()));
    }
  }

  private static void upstream(StringBuilder out, UpstreamConfig upstream) {
    out.append("  - name: ").append(upstream.name()).append('\n');
    line(out, 4, "url", upstream.url());
    line(out, 4, "aliases", list(upstream.aliases()));
    line(out, 4, "default", upstream.isDefault());
    line(out, 4, "tag-freshness", duration(upstream.tagFreshness()));
    if (upstream.credentials().present()) {
      line(out, 4, "username", upstream.credentials().username());
      line(out, 4, "password", MASK);
    }
    line(out, 4, "connect-timeout", duration(upstream.connectTimeout()));
    line(out, 4, "read-timeout", duration(upstream.readTimeout()));
    line(out, 4, "offline", upstream.offline());
    line(out, 4, "allow", list(upstream.allow()));
    line(out, 4, "deny", list(upstream.deny()));
    optional(out, "ca-file", upstream.caFile());
    line(out, 4, "insecure", upstream.insecure());
    optional(out, "proxy", upstream.proxy());
    line(out, 4, "max-connections", upstream.maxConnections());
    line(out, 4, "negative-ttl", duration(upstream.negativeTtl()));
    line(out, 4, "stale-on-404", upstream.staleOn404());
  }

  private static void optional(StringBuilder out, String key, Optional<?> value) {
    value.ifPresent(v -> line(out, 4, key, v));
  }

  private static void line(StringBuilder out, int indent, String key, Object value) {
    out.append(" ".repeat(indent)).append(key).append(": ").append(value).append('\n');
  }

  private static String list(List<String> values) {
    return values.stream()
        .map(v -> "\"" + v.replace("\"", "\\\"") + "\"")
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  /** In the loader's own units, so the output loads again as it reads. */
  private static String duration(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 86_400_000 == 0 && millis > 0) {
      return millis / 86_400_000 + "d";
    }
    if (millis % 3_600_000 == 0 && millis > 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
