package io.stevedore.config.yaml;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.stevedore.config.AccessLogConfig;
import io.stevedore.config.AccessRule;
import io.stevedore.config.AdminConfig;
import io.stevedore.config.AuthConfig;
import io.stevedore.config.AuthMode;
import io.stevedore.config.ClusterConfig;
import io.stevedore.config.Credentials;
import io.stevedore.config.Durations;
import io.stevedore.config.ServerLimits;
import io.stevedore.config.ServerTls;
import io.stevedore.config.Sizes;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the YAML config file, with environment variables overriding it ({@code SERVER_PORT=5001}
 * sets {@code server.port}; {@code UPSTREAMS_0_PASSWORD} the first upstream's password). Every bad
 * value fails with a message that names its key.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** Loads {@code file} (which must exist) over the environment {@code env}. */
  public static StevedoreConfig load(Path file, Map<String, String> env) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    Config config;
    try {
      config =
          Config.just(
              ConfigSources.create(environmentOverrides(env)), ConfigSources.file(file).build());
      // Reading every node here finds what Helidon only parses on first use.
      config.traverse().forEach(node -> {});
    } catch (io.helidon.config.ConfigException e) {
      throw new ConfigException(file + " is not valid YAML: " + e.getMessage());
    }
    try {
      KeyCheck.check(config);
      return read(config);
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.detail);
    }
  }

  /** Environment variables in Helidon's mapping: {@code A_B_C -> a.b.c}, {@code _dash_ -> -}. */
  private static Map<String, String> environmentOverrides(Map<String, String> env) {
    Map<String, String> overrides = new java.util.HashMap<>();
    env.forEach(
        (name, value) -> {
          String lower = name.toLowerCase(java.util.Locale.ROOT);
          if (lower.startsWith("server_")
              || lower.startsWith("storage_")
              || lower.startsWith("admin_")
              || lower.startsWith("access_dash_log_")
              || lower.startsWith("upstreams_")
              || lower.startsWith("auth_")
              || lower.startsWith("cluster_")) {
            overrides.put(lower.replace("_dash_", "-").replace('_', '.'), value);
          }
        });
    return overrides;
  }

  static StevedoreConfig read(Config config) {
    String host = string(config, "server.host", "0.0.0.0");
    int port = value(config, "", "server.port", "5000", ConfigLoader::port);
    ServerLimits limits = limits(config);
    Path storage = Path.of(string(config, "storage.path", "./data"));
    long maxSize = value(config, "", "storage.max-size", "50GiB", Sizes::parse);
    long manifestMemory = value(config, "", "storage.manifest-memory", "64MiB", Sizes::parse);
    Duration fillTimeout = value(config, "", "storage.fill-timeout", "1h", Durations::parse);
    boolean directWrites = value(config, "", "storage.direct-writes", "false", ConfigLoader::bool);
    Optional<ServerTls> tls = serverTls(config);
    List<UpstreamConfig> upstreams = new ArrayList<>();
    List<Config> nodes = config.get("upstreams").asNodeList().orElse(List.of());
    if (nodes.isEmpty()) {
      throw new ConfigException("upstreams: at least one upstream must be configured");
    }
    for (int i = 0; i < nodes.size(); i++) {
      upstreams.add(upstream(nodes.get(i), "upstreams[" + i + "].", nodes.size() == 1));
    }
    checkUnique(upstreams);
    AuthConfig auth = auth(config.get("auth"));
    try {
      return new StevedoreConfig(
          host,
          port,
          limits,
          storage,
          maxSize,
          manifestMemory,
          fillTimeout,
          directWrites,
          upstreams,
          tls,
          admin(config),
          accessLog(config),
          auth,
          cluster(config.get("cluster")));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static ServerLimits limits(Config config) {
    ServerLimits defaults = ServerLimits.DEFAULT;
    int requestLine =
        value(
            config,
            "",
            "server.max-request-line",
            String.valueOf(defaults.maxRequestLine()),
            ConfigLoader::intSize);
    int headers =
        value(
            config,
            "",
            "server.max-header-size",
            String.valueOf(defaults.maxHeaderSize()),
            ConfigLoader::intSize);
    Duration headerTimeout = value(config, "", "server.header-timeout", "10s", Durations::parse);
    Duration idleTimeout = value(config, "", "server.idle-timeout", "1m", Durations::parse);
    try {
      return new ServerLimits(requestLine, headers, headerTimeout, idleTimeout);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** A size that a count of bytes in memory can hold: at most 1 GiB. */
  private static int intSize(String text) {
    long size = Sizes.parse(text);
    if (size > 1L << 30) {
      throw new IllegalArgumentException("must be at most 1GiB, got " + text);
    }
    return (int) size;
  }

  /** One default, and each alias answered by one upstream: else routing would be a guess. */
  private static void checkUnique(List<UpstreamConfig> upstreams) {
    Map<String, Integer> aliases = new java.util.HashMap<>();
    int defaultAt = -1;
    for (int i = 0; i < upstreams.size(); i++) {
      UpstreamConfig upstream = upstreams.get(i);
      if (upstream.isDefault()) {
        if (defaultAt >= 0) {
          throw new ConfigException(
              "upstreams["
                  + i
                  + "].default: "
                  + described(upstreams, defaultAt)
                  + " is the default already; only one upstream may be");
        }
        defaultAt = i;
      }
      for (String alias : upstream.aliases()) {
        Integer other = aliases.putIfAbsent(alias.toLowerCase(java.util.Locale.ROOT), i);
        if (other != null && other != i) {
          throw new ConfigException(
              "upstreams["
                  + i
                  + "].aliases: "
                  + alias
                  + " is an alias of "
                  + described(upstreams, other)
                  + " too; a registry host routes to one upstream");
        }
      }
    }
  }

  private static String described(List<UpstreamConfig> upstreams, int index) {
    return "upstreams[" + index + "] (" + upstreams.get(index).name() + ")";
  }

  private static AdminConfig admin(Config config) {
    String host = string(config, "admin.host", AdminConfig.DEFAULT_HOST);
    int port =
        value(
            config, "", "admin.port", String.valueOf(AdminConfig.DEFAULT_PORT), ConfigLoader::port);
    Optional<String> token =
        config
            .get("admin.token-file")
            .asString()
            .asOptional()
            .map(file -> secret(Path.of(file), "admin.token-file"));
    return new AdminConfig(host, port, token);
  }

  private static AccessLogConfig accessLog(Config config) {
    boolean enabled = value(config, "", "access-log.enabled", "true", ConfigLoader::bool);
    Optional<Path> file = config.get("access-log.file").asString().asOptional().map(Path::of);
    return new AccessLogConfig(enabled, file);
  }

  /** A secret kept in a file (a password, a token): its content without surrounding space. */
  private static String secret(Path file, String key) {
    try {
      String secret = Files.readString(file).strip();
      if (secret.isEmpty()) {
        throw new ConfigException(key + ": " + file + " is empty");
      }
      return secret;
    } catch (IOException e) {
      throw new ConfigException(key + ": cannot read " + file + ": " + e.getMessage());
    }
  }

  /**
   * HTTPS when {@code server.tls.cert-file} and {@code key-file} are both set, checked by reading
   * them now: a server that would fail every handshake must not start.
   */
  private static Optional<ServerTls> serverTls(Config config) {
    Optional<Path> cert = path(config, "server.tls.cert-file");
    Optional<Path> key = path(config, "server.tls.key-file");
    Optional<Path> clientCa = path(config, "server.tls.client-ca-file");
    if (cert.isEmpty() && key.isEmpty()) {
      if (clientCa.isPresent()) {
        throw new ConfigException(
            "server.tls.client-ca-file: needs server.tls.cert-file and key-file (mutual TLS is"
                + " TLS)");
      }
      return Optional.empty();
    }
    if (cert.isEmpty()) {
      throw new ConfigException("server.tls.cert-file: required with server.tls.key-file");
    }
    if (key.isEmpty()) {
      throw new ConfigException("server.tls.key-file: required with server.tls.cert-file");
    }
    ServerTls tls = new ServerTls(cert.get(), key.get(), clientCa);
    try {
      tls.read();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    return Optional.of(tls);
  }

  private static Optional<Path> path(Config config, String key) {
    return config.get(key).asString().asOptional().filter(s -> !s.isBlank()).map(Path::of);
  }

  private static UpstreamConfig upstream(Config node, String prefix, boolean only) {
    String name = required(node, "name", prefix);
    URI url = URI.create(required(node, "url", prefix).replaceAll("/+$", ""));
    if (url.getScheme() == null
        || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
        || url.getHost() == null) {
      throw new ConfigException(prefix + "url: '" + url + "' is not an http(s) URL");
    }
    if (url.getUserInfo() != null) {
      // A password in the URL would show wherever the URL is logged.
      throw new ConfigException(
          prefix + "url: put credentials in username and password, not in the URL");
    }
    return UpstreamConfig.builder(name, url)
        .aliases(strings(node, "aliases"))
        .isDefault(value(node, prefix, "default", String.valueOf(only), ConfigLoader::bool))
        .tagFreshness(value(node, prefix, "tag-freshness", "5m", Durations::parse))
        .credentials(credentials(node, prefix))
        .connectTimeout(value(node, prefix, "connect-timeout", "10s", Durations::parse))
        .readTimeout(value(node, prefix, "read-timeout", "60s", Durations::parse))
        .offline(value(node, prefix, "offline", "false", ConfigLoader::bool))
        .allow(strings(node, "allow"))
        .deny(strings(node, "deny"))
        .caFile(readableFile(node, prefix, "ca-file").orElse(null))
        .insecure(value(node, prefix, "insecure", "false", ConfigLoader::bool))
        .proxy(proxy(node, prefix))
        .maxConnections(value(node, prefix, "max-connections", "32", ConfigLoader::positive))
        .negativeTtl(value(node, prefix, "negative-ttl", "30s", Durations::parse))
        .staleOn404(value(node, prefix, "stale-on-404", "false", ConfigLoader::bool))
        .build();
  }

  private static AuthConfig auth(Config node) {
    String prefix = "auth.";
    List<AccessRule> rules = new ArrayList<>();
    List<Config> ruleNodes = node.get("rules").asNodeList().orElse(List.of());
    for (int i = 0; i < ruleNodes.size(); i++) {
      rules.add(accessRule(ruleNodes.get(i), prefix + "rules[" + i + "]."));
    }
    try {
      return new AuthConfig(
          value(node, prefix, "mode", "none", ConfigLoader::authMode),
          readableFile(node, prefix, "htpasswd-file"),
          value(node, prefix, "token-ttl", "5m", Durations::parse),
          readableFile(node, prefix, "token-key-file"),
          node.get("token-realm").asString().asOptional().map(r -> httpUrl(prefix, r)),
          rules);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static ClusterConfig cluster(Config node) {
    String prefix = "cluster.";
    Optional<String> secret = node.get("secret").asString().asOptional();
    Optional<String> secretFile = node.get("secret-file").asString().asOptional();
    if (secret.isPresent() && secretFile.isPresent()) {
      throw new ConfigException(prefix + "secret-file: give secret or secret-file, not both");
    }
    if (secretFile.isPresent()) {
      secret = Optional.of(secret(Path.of(secretFile.get()), prefix + "secret-file"));
    }
    try {
      return new ClusterConfig(
          node.get("self").asString().asOptional().map(s -> url(prefix, "self", s)),
          strings(node, "peers").stream().map(p -> url(prefix, "peers", p)).toList(),
          node.get("peers-dns").asString().asOptional().map(d -> url(prefix, "peers-dns", d)),
          value(node, prefix, "dns-refresh", "10s", Durations::parse),
          secret,
          value(node, prefix, "peer-timeout", "5s", Durations::parse),
          value(node, prefix, "peer-backoff", "10s", Durations::parse));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static URI url(String prefix, String key, String text) {
    try {
      return URI.create(text.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(prefix + key + ": '" + text + "' is not a URL");
    }
  }

  private static AccessRule accessRule(Config node, String prefix) {
    try {
      return new AccessRule(
          strings(node, "users"),
          value(node, prefix, "anonymous", "false", ConfigLoader::bool),
          strings(node, "upstreams"),
          globs(node, prefix, "allow"),
          globs(node, prefix, "deny"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(prefix + "users: " + e.getMessage());
    }
  }

  private static List<String> globs(Config node, String prefix, String key) {
    List<String> globs = strings(node, key);
    if (globs.stream().anyMatch(String::isBlank)) {
      throw new ConfigException(prefix + key + ": a repository pattern must not be empty");
    }
    return globs;
  }

  private static AuthMode authMode(String text) {
    return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "none", "off", "false" -> AuthMode.NONE;
      case "basic" -> AuthMode.BASIC;
      case "token" -> AuthMode.TOKEN;
      default -> throw new IllegalArgumentException("'" + text + "' is not none, basic or token");
    };
  }

  /** An optional file the mirror must be able to read at start, checked here to name the key. */
  private static Optional<Path> readableFile(Config node, String prefix, String key) {
    Optional<Path> path = path(node, key);
    if (path.isPresent() && !Files.isReadable(path.get())) {
      throw new ConfigException(prefix + key + ": cannot read " + path.get());
    }
    return path;
  }

  private static URI httpUrl(String prefix, String text) {
    try {
      URI url = URI.create(text.strip());
      if (("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
          && url.getHost() != null) {
        return url;
      }
    } catch (IllegalArgumentException e) {
      // reported below, with the key
    }
    throw new ConfigException(prefix + "token-realm: '" + text + "' is not an http(s) URL");
  }

  private static List<String> strings(Config node, String key) {
    return node.get(key).asList(String.class).orElse(List.of());
  }

  private static URI proxy(Config node, String prefix) {
    Optional<String> text = node.get("proxy").asString().asOptional();
    if (text.isEmpty()) {
      return null;
    }
    URI proxy = URI.create(text.get());
    if (!"http".equals(proxy.getScheme()) || proxy.getHost() == null || proxy.getPort() < 0) {
      throw new ConfigException(
          prefix + "proxy: '" + proxy + "' is not an http://host:port proxy URL");
    }
    return proxy;
  }

  private static Credentials credentials(Config node, String prefix) {
    String username = node.get("username").asString().orElse("");
    String password = node.get("password").asString().orElse(null);
    String passwordFile = node.get("password-file").asString().orElse(null);
    if (password != null && passwordFile != null) {
      throw new ConfigException(prefix + "password-file: give password or password-file, not both");
    }
    if (passwordFile != null) {
      password = secret(Path.of(passwordFile), prefix + "password-file");
    }
    if (username.isEmpty()) {
      if (password != null) {
        throw new ConfigException(prefix + "username: a password needs a username");
      }
      return Credentials.NONE;
    }
    if (password == null) {
      throw new ConfigException(prefix + "password: username " + username + " needs a password");
    }
    return new Credentials(username, password);
  }

  private static String required(Config node, String key, String prefix) {
    return node.get(key)
        .asString()
        .filter(s -> !s.isBlank())
        .orElseThrow(() -> new ConfigException(prefix + key + ": required"));
  }

  private static String string(Config config, String key, String fallback) {
    return config.get(key).asString().orElse(fallback);
  }

  /** The value at {@code key} (or {@code fallback}) parsed; a parse error names the key. */
  private static <T> T value(
      Config config, String prefix, String key, String fallback, Function<String, T> parse) {
    String text = config.get(key).asString().orElse(fallback);
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(prefix + key + ": " + e.getMessage());
    }
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text.strip());
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("'" + text + "' is not a port (0-65535)");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a port (0-65535)", e);
    }
  }

  private static int positive(String text) {
    try {
      int number = Integer.parseInt(text.strip());
      if (number < 1) {
        throw new IllegalArgumentException("'" + text + "' is not a positive number");
      }
      return number;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a positive number", e);
    }
  }

  private static boolean bool(String text) {
    return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
    };
  }

  /** A config that cannot be used; the message names the key. */
  public static final class ConfigException extends RuntimeException {
    private final String detail;

    ConfigException(String detail) {
      super("bad config: " + detail);
      this.detail = detail;
    }
  }
}
