package io.stevedore.testing;

import io.stevedore.app.Stevedore;
import io.stevedore.cache.FillPolicy;
import io.stevedore.config.AccessLogConfig;
import io.stevedore.config.AdminConfig;
import io.stevedore.config.AuthConfig;
import io.stevedore.config.ClusterConfig;
import io.stevedore.config.ServerLimits;
import io.stevedore.config.ServerTls;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.upstream.OkHttpUpstream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** An in-process mirror on a free port with one upstream, the way tests want it. */
public final class TestMirrors {
  private TestMirrors() {}

  /** A mirror of the registry at {@code upstream}, resuming fills at once (no backoff). */
  public static Stevedore start(Path dir, URI upstream, Clock clock, Duration readTimeout) {
    return start(
        dir,
        clock,
        List.of(
            UpstreamConfig.of("lab", upstream).withTimeouts(Duration.ofSeconds(2), readTimeout)));
  }

  /** A mirror of several upstreams. */
  public static Stevedore start(Path dir, Clock clock, List<UpstreamConfig> upstreams) {
    return start(dir, clock, upstreams, AdminConfig.LOOPBACK_ANY_PORT, AccessLogConfig.OFF);
  }

  /** A mirror with the admin listener and access log of the caller's choosing. */
  public static Stevedore start(
      Path dir,
      Clock clock,
      List<UpstreamConfig> upstreams,
      AdminConfig admin,
      AccessLogConfig accessLog) {
    return start(dir, clock, upstreams, admin, accessLog, AuthConfig.OFF);
  }

  /** A mirror whose clients also authenticate as {@code auth} says. */
  public static Stevedore start(
      Path dir,
      Clock clock,
      List<UpstreamConfig> upstreams,
      AdminConfig admin,
      AccessLogConfig accessLog,
      AuthConfig auth) {
    return Stevedore.start(
        settings(dir, upstreams, Optional.empty(), admin, accessLog, auth),
        clock,
        new FillPolicy(3, Duration.ZERO, Duration.ofMinutes(5)),
        (c, listener) -> new OkHttpUpstream(c, OkHttpUpstream.defaultClient(), clock, listener));
  }

  /**
   * A node of a cluster as {@code cluster} says, on {@code port} (its peers must know it before it
   * starts), mirroring the registry at {@code upstream}.
   */
  public static Stevedore startNode(
      Path dir, int port, URI upstream, ClusterConfig cluster, Clock clock) {
    List<UpstreamConfig> upstreams =
        List.of(
            UpstreamConfig.of("lab", upstream)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10)));
    return Stevedore.start(
        config(
            dir.resolve("data"),
            port,
            1L << 30,
            upstreams,
            Optional.empty(),
            AdminConfig.LOOPBACK_ANY_PORT,
            AccessLogConfig.OFF,
            AuthConfig.OFF,
            cluster),
        clock,
        new FillPolicy(3, Duration.ZERO, Duration.ofMinutes(5)),
        (c, listener) -> new OkHttpUpstream(c, OkHttpUpstream.defaultClient(), clock, listener));
  }

  /** A mirror serving HTTPS as {@code tls} says, in front of an upstream nothing answers on. */
  public static Stevedore startTls(Path dir, ServerTls tls) {
    List<UpstreamConfig> nowhere =
        List.of(UpstreamConfig.of("lab", URI.create("http://127.0.0.1:9")));
    return Stevedore.start(
        settings(
            dir,
            nowhere,
            Optional.of(tls),
            AdminConfig.LOOPBACK_ANY_PORT,
            AccessLogConfig.OFF,
            AuthConfig.OFF),
        Clock.systemUTC());
  }

  /**
   * A config as tests want it: on 127.0.0.1, plain HTTP, the admin listener on a free loopback
   * port, no access log, no client auth.
   */
  public static StevedoreConfig config(
      Path dataDir, int port, long quota, List<UpstreamConfig> upstreams) {
    return config(
        dataDir,
        port,
        quota,
        upstreams,
        Optional.empty(),
        AdminConfig.LOOPBACK_ANY_PORT,
        AccessLogConfig.OFF,
        AuthConfig.OFF,
        ClusterConfig.OFF);
  }

  private static StevedoreConfig settings(
      Path dir,
      List<UpstreamConfig> upstreams,
      Optional<ServerTls> tls,
      AdminConfig admin,
      AccessLogConfig accessLog,
      AuthConfig auth) {
    return config(
        dir.resolve("data"),
        0,
        1L << 30,
        upstreams,
        tls,
        admin,
        accessLog,
        auth,
        ClusterConfig.OFF);
  }

  private static StevedoreConfig config(
      Path dataDir,
      int port,
      long quota,
      List<UpstreamConfig> upstreams,
      Optional<ServerTls> tls,
      AdminConfig admin,
      AccessLogConfig accessLog,
      AuthConfig auth,
      ClusterConfig cluster) {
    return new StevedoreConfig(
        "127.0.0.1",
        port,
        ServerLimits.DEFAULT,
        dataDir,
        quota,
        1L << 20,
        Duration.ofMinutes(5),
        false,
        upstreams,
        tls,
        admin,
        accessLog,
        auth,
        cluster);
  }
}
