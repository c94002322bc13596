package io.stevedore.config.yaml;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every key the config file may hold, the one list the loader checks a file against and
 * conf/stevedore.yaml documents (a test holds the two together). A key is written as a path; {@code
 * []} after a segment makes it a list: of sections ({@code upstreams[].name}), or of values when it
 * ends the key ({@code upstreams[].aliases[]}).
 */
final class ConfigSchema {
  static final List<String> KEYS =
      List.of(
          "server.host",
          "server.port",
          "server.max-request-line",
          "server.max-header-size",
          "server.header-timeout",
          "server.idle-timeout",
          "server.tls.cert-file",
          "server.tls.key-file",
          "server.tls.client-ca-file",
          "admin.host",
          "admin.port",
          "admin.token-file",
          "access-log.enabled",
          "access-log.file",
          "storage.path",
          "storage.max-size",
          "storage.manifest-memory",
          "storage.fill-timeout",
          "storage.direct-writes",
          "upstreams[].name",
          "upstreams[].url",
          "upstreams[].aliases[]",
          "upstreams[].default",
          "upstreams[].tag-freshness",
          "upstreams[].username",
          "upstreams[].password",
          "upstreams[].password-file",
          "upstreams[].connect-timeout",
          "upstreams[].read-timeout",
          "upstreams[].offline",
          "upstreams[].allow[]",
          "upstreams[].deny[]",
          "upstreams[].ca-file",
          "upstreams[].insecure",
          "upstreams[].proxy",
          "upstreams[].max-connections",
          "upstreams[].negative-ttl",
          "upstreams[].stale-on-404",
          "auth.mode",
          "auth.htpasswd-file",
          "auth.token-ttl",
          "auth.token-key-file",
          "auth.token-realm",
          "auth.rules[].users[]",
          "auth.rules[].anonymous",
          "auth.rules[].upstreams[]",
          "auth.rules[].allow[]",
          "auth.rules[].deny[]",
          "cluster.self",
          "cluster.peers[]",
          "cluster.peers-dns",
          "cluster.dns-refresh",
          "cluster.secret",
          "cluster.secret-file",
          "cluster.peer-timeout",
          "cluster.peer-backoff");

  private ConfigSchema() {}

  /** Whether {@code shape} (a key with list indexes written {@code []}) is a key of the file. */
  static boolean isKey(String shape) {
    return KEYS.contains(shape);
  }

  /** Whether {@code shape} is a section that holds keys ({@code server}, {@code upstreams[]}). */
  static boolean isSection(String shape) {
    return KEYS.stream().anyMatch(key -> key.startsWith(shape + "."));
  }

  /** Whether {@code shape} is a list ({@code upstreams}, {@code upstreams[].aliases}). */
  static boolean isList(String shape) {
    return KEYS.stream().anyMatch(key -> key.equals(shape + "[]") || key.startsWith(shape + "[]."));
  }

  /** The keys a section may hold, by their last name. */
  static Set<String> keysOf(String section) {
    String prefix = section.isEmpty() ? "" : section + ".";
    Set<String> names = new LinkedHashSet<>();
    for (String key : KEYS) {
      if (key.startsWith(prefix)) {
        String rest = key.substring(prefix.length());
        names.add(rest.split("[.\\[]", 2)[0]);
      }
    }
    return names;
  }

  /** The key of {@code section} nearest to the unknown {@code name}: likely what was meant. */
  static Optional<String> nearest(String section, String name) {
    return keysOf(section).stream()
        .min(Comparator.comparingInt(candidate -> distance(candidate, name)))
        .filter(candidate -> distance(candidate, name) <= Math.max(2, name.length() / 3));
  }

  /** Edit distance: insertions, deletions, substitutions, and swaps of two neighbours. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
