package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import io.stevedore.testing.MutableClock;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An upstream reached through an HTTP egress proxy. The upstream's host name exists only at the
 * proxy (a WireMock that answers requests by Host), as behind a corporate firewall without DNS for
 * outside names.
 */
class EgressProxyTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final Reference TAG = Reference.parse("1.0");
  private static final String MANIFEST_PATH = "/v2/team/app/manifests/1.0";
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final URI UPSTREAM = URI.create("http://registry.invalid");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));

  @RegisterExtension
  final WireMockExtension proxy =
      WireMockExtension.newInstance()
          .options(options().bindAddress("127.0.0.1").dynamicPort().enableBrowserProxying(false))
          .build();

  private final List<String> lookedUp = new CopyOnWriteArrayList<>();
  // Resolves loopback only, and remembers every name it was asked for.
  private final OkHttpClient base =
      OkHttpUpstream.defaultClient()
          .newBuilder()
          .dns(
              host -> {
                lookedUp.add(host);
                if (!host.equals("127.0.0.1")) {
                  throw new UnknownHostException("no DNS in this test: " + host);
                }
                return Dns.SYSTEM.lookup(host);
              })
          .build();

  private UpstreamConfig.Builder config() {
    return UpstreamConfig.builder("proxied-up", UPSTREAM)
        .proxy(URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  @Test
  void requestGoesToTheProxyWithTheUpstreamsHost_noDnsLookupOfIt() {
    proxy.stubFor(
        get(MANIFEST_PATH)
            .withHost(equalTo("registry.invalid"))
            .willReturn(aResponse().withBody(MANIFEST)));

    FetchedManifest manifest =
        new OkHttpUpstream(config().build(), base, clock).fetchManifest(REPO, TAG, List.of());

    assertThat(manifest.body()).isEqualTo(MANIFEST);
    proxy.verify(
        1, getRequestedFor(urlEqualTo(MANIFEST_PATH)).withHost(equalTo("registry.invalid")));
    assertThat(lookedUp).doesNotContain("registry.invalid");
  }

  @Test
  void withoutProxy_theUpstreamIsLookedUpDirectly() {
    // The counter-test: the same upstream without the proxy setting asks DNS (and fails).
    UpstreamConfig direct = UpstreamConfig.of("proxied-up", UPSTREAM);

    assertThatThrownBy(
            () -> new OkHttpUpstream(direct, base, clock).fetchManifest(REPO, TAG, List.of()))
        .hasMessageContaining("unreachable");
    assertThat(lookedUp).contains("registry.invalid");
    assertThat(proxy.getAllServeEvents()).isEmpty();
  }

  @Test
  void tokenRequestsGoThroughTheProxyToo() {
    proxy.stubFor(
        get(MANIFEST_PATH)
            .withHost(equalTo("registry.invalid"))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Bearer realm=\"http://auth.invalid/token\"")));
    proxy.stubFor(
        get(MANIFEST_PATH)
            .withHost(equalTo("registry.invalid"))
            .withHeader("Authorization", equalTo("Bearer tok1"))
            .willReturn(aResponse().withBody(MANIFEST)));
    proxy.stubFor(
        get(urlPathEqualTo("/token"))
            .withHost(equalTo("auth.invalid"))
            .willReturn(okJson("{\"token\":\"tok1\"}")));

    FetchedManifest manifest =
        new OkHttpUpstream(config().build(), base, clock).fetchManifest(REPO, TAG, List.of());

    assertThat(manifest.body()).isEqualTo(MANIFEST);
    proxy.verify(1, getRequestedFor(urlPathEqualTo("/token")).withHost(equalTo("auth.invalid")));
    assertThat(lookedUp).doesNotContain("registry.invalid", "auth.invalid");
  }

  @Test
  void create_usesTheProxy() {
    proxy.stubFor(
        get(MANIFEST_PATH)
            .withHost(equalTo("registry.invalid"))
            .willReturn(aResponse().withBody(MANIFEST)));

    assertThat(
            OkHttpUpstream.create(config().build(), clock, UpstreamListener.NONE)
                .fetchManifest(REPO, TAG, List.of())
                .body())
        .isEqualTo(MANIFEST);
  }

  @Test
  void of_httpHostAndPort_defaultPort80() {
    assertThat(EgressProxy.of(config().proxy(URI.create("http://proxy.corp:3128")).build()))
        .contains(
            new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.corp", 3128)));
    assertThat(EgressProxy.of(config().proxy(URI.create("http://proxy.corp")).build()))
        .contains(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.corp", 80)));
    assertThat(EgressProxy.of(UpstreamConfig.of("direct", UPSTREAM))).isEmpty();
  }

  @Test
  void of_notAnHttpProxy_refusedNamingTheUpstream() {
    for (String bad :
        List.of("https://proxy.corp:3128", "socks5://proxy.corp:1080", "proxy:3128")) {
      UpstreamConfig config = config().proxy(URI.create(bad)).build();

      assertThatThrownBy(() -> new OkHttpUpstream(config, base, clock))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("proxied-up")
          .hasMessageContaining("http://host:port");
    }
  }

  @Test
  void of_credentialsInTheUri_refusedWithoutQuotingThem() {
    UpstreamConfig config =
        config().proxy(URI.create("http://alice:hunter2-secret@proxy.corp:3128")).build();

    assertThatThrownBy(() -> EgressProxy.of(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxied-up")
        .hasMessageNotContaining("hunter2");
  }
}
