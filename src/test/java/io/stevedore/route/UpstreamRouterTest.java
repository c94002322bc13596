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
    UpstreamRouter.Route route = router.route(Optional.empty(), "alpine");

    assertThat(route.upstream()).isSameAs(hub);
    assertThat(route.repository().value()).isEqualTo("library/alpine");
  }

  @Test
  void namespace_matchesAnAlias_caseInsensitively() {
    UpstreamRouter.Route route = router.route(Optional.of("GHCR.io"), "org/app");

    assertThat(route.upstream()).isSameAs(ghcr);
    assertThat(route.repository().value()).isEqualTo("org/app");
  }

  @Test
  void singleSegmentNames_areLeftAloneOutsideDockerHub() {
    assertThat(router.route(Optional.of("ghcr.io"), "app").repository().value()).isEqualTo("app");
  }

  @Test
  void namespace_matchesTheUpstreamsOwnHostAndPort() {
    assertThat(router.route(Optional.of("127.0.0.1:5002"), "org/app").upstream()).isSameAs(ghcr);
  }

  @Test
  void unknownNamespace_isNameUnknown_neverAFetch() {
    assertThatThrownBy(() -> router.route(Optional.of("evil.example"), "org/app"))
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

    assertThatThrownBy(() -> withoutDefault.route(Optional.empty(), "org/app"))
        .hasMessageContaining("no default upstream");
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
