package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.config.Credentials;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.testing.MutableClock;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A WireMock registry on a loopback port for one test, and the {@link OkHttpUpstream}s that point
 * at it. Registered with {@code @RegisterExtension} on an instance field, it starts before each
 * test and stops after it. It is the server itself, so tests stub, verify and stop it directly.
 */
final class WireMockRegistry extends WireMockServer
    implements BeforeEachCallback, AfterEachCallback {
  private final String name;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));

  /** {@code name}: the upstream's name, which its error messages carry. */
  WireMockRegistry(String name) {
    super(options().bindAddress("127.0.0.1").dynamicPort());
    this.name = name;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    stop();
  }

  /** The clock of every upstream made here; tests move it to expire tokens and rate limits. */
  MutableClock clock() {
    return clock;
  }

  /** Where the upstreams reach the registry: by IP, as "localhost" is another host to OkHttp. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  UpstreamConfig config() {
    return UpstreamConfig.of(name, uri());
  }

  OkHttpUpstream upstream() {
    return upstream(config());
  }

  /** An upstream that logs in with {@code credentials}. */
  OkHttpUpstream upstream(Credentials credentials) {
    return upstream(config().withCredentials(credentials));
  }

  /** An upstream of {@code config}, which may point elsewhere, on this registry's clock. */
  OkHttpUpstream upstream(UpstreamConfig config) {
    return new OkHttpUpstream(config, OkHttpUpstream.defaultClient(), clock);
  }
}
