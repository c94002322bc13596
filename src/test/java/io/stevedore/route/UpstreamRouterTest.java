package io.stevedore.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.testing.FakeUpstream;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpstreamRouterTest {
  private final FakeUpstream hub =
      new FakeUpstream(
          UpstreamConfig.builder("dockerhub", URI.create("http://127.0.0.1:5001"))
              .aliases(List.of("docker.io", "index.docker.io"))
              .isDefault(true)
              .build());
  private final FakeUpstream ghcr =
      new FakeUpstream(
          UpstreamConfig.builder("ghcr", URI.create("http://127.0.0.1:5002"))
              .aliases(List.of("ghcr.io"))
              .isDefault(false)
              .build());
  private final UpstreamRouter router = new UpstreamRouter(List.of(hub, ghcr));

  @Test
  void noNamespace_goesToTheDefault_withDockerHubsLibraryPrefix() {
    UpstreamRouter.Route route = router.route(Optional.empty(), Optional.empty(), "alpine");

    assertThat(route.upstream()).isSameAs(hub);
    assertThat(route.repository().value()).isEqualTo("library/alpine");
  }

  @Test
  void namespace_matchesAnAlias_caseInsensitively() {
    UpstreamRouter.Route route = router.route(Optional.of("GHCR.io"), Optional.empty(), "org/app");

    assertThat(route.upstream()).isSameAs(ghcr);
    assertThat(route.repository().value()).isEqualTo("org/app");
  }

  @Test
  void singleSegmentNames_areLeftAloneOutsideDockerHub() {
    assertThat(router.route(Optional.of("ghcr.io"), Optional.empty(), "app").repository().value())
        .isEqualTo("app");
  }

  @Test
  void namespace_matchesTheUpstreamsOwnHostAndPort() {
    assertThat(router.route(Optional.of("127.0.0.1:5002"), Optional.empty(), "org/app").upstream())
        .isSameAs(ghcr);
  }

  @Test
  void unknownNamespace_isNameUnknown_neverAFetch() {
    assertThatThrownBy(() -> router.route(Optional.of("evil.example"), Optional.empty(), "org/app"))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN);
              assertThat(e.getMessage()).contains("evil.example");
            });
    assertThat(hub.calls()).isEmpty();
    assertThat(ghcr.calls()).isEmpty();
  }

  @Test
  void noDefault_andNoNamespace_isNameUnknown() {
    UpstreamRouter withoutDefault = new UpstreamRouter(List.of(ghcr));

    assertThatThrownBy(() -> withoutDefault.route(Optional.empty(), Optional.empty(), "org/app"))
        .hasMessageContaining("no default upstream");
  }

  @Test
  void firstSegmentThatIsAnAlias_picksThatUpstream_andIsNotPartOfTheName() {
    UpstreamRouter.Route route =
        router.route(Optional.empty(), Optional.empty(), "ghcr.io/org/app");

    assertThat(route.upstream()).isSameAs(ghcr);
    assertThat(route.repository().value()).isEqualTo("org/app");
  }

  @Test
  void dockerHubPrefix_getsTheLibraryPrefixToo() {
    UpstreamRouter.Route route =
        router.route(Optional.empty(), Optional.empty(), "docker.io/alpine");

    assertThat(route.upstream()).isSameAs(hub);
    assertThat(route.repository().value()).isEqualTo("library/alpine");
  }

  @Test
  void firstSegmentShapedLikeAnUnknownRegistry_isNameUnknown() {
    for (String name : List.of("quay.io/org/app", "registry:5000/app", "localhost/app")) {
      assertThatThrownBy(() -> router.route(Optional.empty(), Optional.empty(), name))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN));
    }
  }

  @Test
  void plainFirstSegment_isPartOfTheNameAtTheDefault() {
    UpstreamRouter.Route route = router.route(Optional.empty(), Optional.empty(), "myorg/app");

    assertThat(route.upstream()).isSameAs(hub);
    assertThat(route.repository().value()).isEqualTo("myorg/app");
  }

  @Test
  void hostHeader_ofAVirtualHost_picksItsUpstream_withOrWithoutPort() {
    assertThat(router.route(Optional.empty(), Optional.of("GHCR.io:5000"), "org/app").upstream())
        .isSameAs(ghcr);
    assertThat(
            router
                .route(Optional.empty(), Optional.of("mirror.example:5000"), "org/app")
                .upstream())
        .isSameAs(hub);
  }

  @Test
  void namespace_winsOverPrefixAndHost() {
    UpstreamRouter.Route route =
        router.route(Optional.of("docker.io"), Optional.of("ghcr.io"), "ghcr.io/app");

    assertThat(route.upstream()).isSameAs(hub);
    assertThat(route.repository().value()).isEqualTo("ghcr.io/app");
  }

  @Test
  void denyPatterns_winOverAllowPatterns() {
    FakeUpstream guarded =
        new FakeUpstream(
            UpstreamConfig.builder("corp", URI.create("http://127.0.0.1:5004"))
                .aliases(List.of("corp.example"))
                .allow(List.of("team/**", "base/*"))
                .deny(List.of("team/secret*"))
                .build());
    UpstreamRouter corp = new UpstreamRouter(List.of(guarded));

    assertThat(corp.route(Optional.empty(), Optional.empty(), "team/a/b").repository().value())
        .isEqualTo("team/a/b");
    assertThat(corp.route(Optional.empty(), Optional.empty(), "base/alpine").upstream())
        .isSameAs(guarded);
    for (String name : List.of("team/secret-sauce", "base/a/b", "other/app")) {
      assertThatThrownBy(() -> corp.route(Optional.empty(), Optional.empty(), name))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
                assertThat(e.status()).isEqualTo(403);
              })
          .hasMessageContaining(name);
    }
    assertThat(guarded.calls()).isEmpty();
  }

  @Test
  void oneAliasForTwoUpstreams_isRejected() {
    FakeUpstream other =
        new FakeUpstream(
            UpstreamConfig.builder("other", URI.create("http://127.0.0.1:5003"))
                .aliases(List.of("ghcr.io"))
                .isDefault(false)
                .build());

    assertThatThrownBy(() -> new UpstreamRouter(List.of(ghcr, other)))
        .hasMessageContaining("alias ghcr.io is claimed by upstreams ghcr and other");
  }
}
