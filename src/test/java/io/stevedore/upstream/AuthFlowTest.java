package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.stevedore.upstream.RegistryErrorAssertions.assertRegistryError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.stevedore.config.Credentials;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bearer token and Basic auth against a WireMock registry, and Authorization on redirects. */
class AuthFlowTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final Reference TAG = Reference.parse("1.0");
  private static final String MANIFEST_PATH = "/v2/team/app/manifests/1.0";
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final Credentials ALICE = new Credentials("alice", "hunter2-secret");

  @RegisterExtension final WireMockRegistry registry = new WireMockRegistry("test-up");

  @RegisterExtension
  final WireMockExtension cdn =
      WireMockExtension.newInstance()
          .options(options().bindAddress("127.0.0.1").dynamicPort())
          .build();

  private String bearerChallenge(String scope) {
    String realm = registry.uri() + "/token";
    return "Bearer realm=\""
        + realm
        + "\",service=\"test-registry\""
        + (scope == null ? "" : ",scope=\"" + scope + "\"");
  }

  /** The registry wants {@code Bearer <token>} on the manifest and challenges anything else. */
  private void stubBearerRegistry(String token, String challengeScope) {
    registry.stubFor(
        get(MANIFEST_PATH)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", bearerChallenge(challengeScope))));
    registry.stubFor(
        get(MANIFEST_PATH)
            .withHeader("Authorization", equalTo("Bearer " + token))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withBody(MANIFEST)));
  }

  /**
   * The manifest was asked for {@code withoutToken} times anonymously, {@code withToken} with tok1.
   */
  private void verifyManifestRequests(int withoutToken, int withToken) {
    registry.verify(
        withoutToken,
        getRequestedFor(urlEqualTo(MANIFEST_PATH)).withHeader("Authorization", absent()));
    registry.verify(
        withToken,
        getRequestedFor(urlEqualTo(MANIFEST_PATH))
            .withHeader("Authorization", equalTo("Bearer tok1")));
  }

  private void stubToken(String json) {
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson(json)));
  }

  @Test
  void tokenFlow_anonymous_fetchesTokenAndRetriesWithBearer() {
    stubBearerRegistry("tok1", "repository:team/app:pull");
    stubToken("{\"token\":\"tok1\",\"expires_in\":300}");

    FetchedManifest manifest = registry.upstream().fetchManifest(REPO, TAG, List.of());

    assertThat(manifest.body()).isEqualTo(MANIFEST);
    registry.verify(
        1,
        getRequestedFor(urlPathEqualTo("/token"))
            .withQueryParam("service", equalTo("test-registry"))
            .withQueryParam("scope", equalTo("repository:team/app:pull"))
            .withHeader("Authorization", absent()));
    verifyManifestRequests(1, 1);
  }

  @Test
  void tokenFlow_reusesCachedToken() {
    stubBearerRegistry("tok1", "repository:team/app:pull");
    stubToken("{\"token\":\"tok1\",\"expires_in\":300}");
    Upstream upstream = registry.upstream();

    upstream.fetchManifest(REPO, TAG, List.of());
    registry.clock().advance(Duration.ofSeconds(200));
    upstream.fetchManifest(REPO, TAG, List.of());

    registry.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    // The second request carried the token up front: no second challenge.
    verifyManifestRequests(1, 2);
  }

  @Test
  void tokenFlow_fetchesNewTokenAfterExpiry() {
    stubBearerRegistry("tok1", "repository:team/app:pull");
    stubToken("{\"token\":\"tok1\"}"); // no expires_in: 60 s
    Upstream upstream = registry.upstream();

    upstream.fetchManifest(REPO, TAG, List.of());
    registry.clock().advance(Duration.ofSeconds(61));
    upstream.fetchManifest(REPO, TAG, List.of());

    registry.verify(2, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void tokenFlow_accessTokenVariant() {
    stubBearerRegistry("tok2", "repository:team/app:pull");
    stubToken("{\"access_token\":\"tok2\",\"expires_in\":300}");

    assertThat(registry.upstream().fetchManifest(REPO, TAG, List.of()).body()).isEqualTo(MANIFEST);
  }

  @Test
  void tokenFlow_scopeDefaultsToRepositoryPull() {
    stubBearerRegistry("tok1", null);
    stubToken("{\"token\":\"tok1\"}");

    registry.upstream().fetchManifest(REPO, TAG, List.of());

    registry.verify(
        1,
        getRequestedFor(urlPathEqualTo("/token"))
            .withQueryParam("scope", equalTo("repository:team/app:pull")));
  }

  @Test
  void tokenFlow_withCredentials_tokenRequestCarriesBasicAuth() {
    stubBearerRegistry("tok1", "repository:team/app:pull");
    stubToken("{\"token\":\"tok1\"}");

    registry.upstream(ALICE).fetchManifest(REPO, TAG, List.of());

    registry.verify(
        1,
        getRequestedFor(urlPathEqualTo("/token"))
            .withBasicAuth(new BasicCredentials("alice", "hunter2-secret")));
    // The registry itself only ever sees the token, never the password.
    registry.verify(
        0,
        getRequestedFor(urlEqualTo(MANIFEST_PATH))
            .withBasicAuth(new BasicCredentials("alice", "hunter2-secret")));
  }

  @Test
  void tokenFlow_endpointRefuses_unauthorizedNamingUpstreamWithoutPassword() {
    stubBearerRegistry("tok1", "repository:team/app:pull");
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(401)));

    assertRegistryError(
        () -> registry.upstream(ALICE).fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAUTHORIZED,
        401,
        e -> assertThat(e.getMessage()).contains("test-up").doesNotContain("hunter2"));
  }

  @Test
  void tokenFlow_answerWithoutToken_badAnswer() {
    stubBearerRegistry("tok1", "repository:team/app:pull");
    stubToken("{\"details\":\"nope\"}");

    assertRegistryError(
        () -> registry.upstream().fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAVAILABLE,
        502,
        e -> assertThat(e.getMessage()).contains("test-up"));
  }

  @Test
  void tokenFlow_tokenRefusedByRegistry_unauthorizedWithoutToken() {
    stubBearerRegistry("accepted-token", "repository:team/app:pull");
    stubToken("{\"token\":\"refused-token-value\"}");

    assertThatThrownBy(() -> registry.upstream().fetchManifest(REPO, TAG, List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
              assertThat(e.toString()).contains("test-up").doesNotContain("refused-token-value");
            });
    // Retried once, not in a loop.
    registry.verify(1, getRequestedFor(urlPathEqualTo("/token")));
  }

  private void stubBasicRegistry() {
    registry.stubFor(
        get(MANIFEST_PATH)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Basic realm=\"test registry\"")));
    registry.stubFor(
        get(MANIFEST_PATH)
            .withBasicAuth("alice", "hunter2-secret")
            .willReturn(aResponse().withStatus(200).withBody(MANIFEST)));
  }

  @Test
  void basicChallenge_withCredentials_retriesWithBasicAndKeepsSendingIt() {
    stubBasicRegistry();
    Upstream upstream = registry.upstream(ALICE);

    assertThat(upstream.fetchManifest(REPO, TAG, List.of()).body()).isEqualTo(MANIFEST);
    upstream.fetchManifest(REPO, TAG, List.of());

    registry.verify(
        1, getRequestedFor(urlEqualTo(MANIFEST_PATH)).withHeader("Authorization", absent()));
    registry.verify(
        2,
        getRequestedFor(urlEqualTo(MANIFEST_PATH))
            .withBasicAuth(new BasicCredentials("alice", "hunter2-secret")));
  }

  @Test
  void basicChallenge_withoutCredentials_unauthorized() {
    stubBasicRegistry();

    assertThatThrownBy(() -> registry.upstream().fetchManifest(REPO, TAG, List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void basicChallenge_wrongPassword_unauthorizedWithoutPassword() {
    stubBasicRegistry();
    Credentials wrong = new Credentials("alice", "wrong-password-value");

    assertThatThrownBy(() -> registry.upstream(wrong).fetchManifest(REPO, TAG, List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
              assertThat(e.toString()).contains("test-up").doesNotContain("wrong-password-value");
            });
  }

  @Test
  void redirect_toOtherHost_followedWithoutAuthorization() throws IOException {
    byte[] blob = "layer bytes".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(blob);
    String blobPath = "/v2/team/app/blobs/" + digest;
    registry.stubFor(
        get(blobPath)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", bearerChallenge("repository:team/app:pull"))));
    // "localhost" and "127.0.0.1" are different hosts to OkHttp, as a CDN would be.
    registry.stubFor(
        get(blobPath)
            .withHeader("Authorization", equalTo("Bearer tok1"))
            .willReturn(
                aResponse()
                    .withStatus(307)
                    .withHeader("Location", "http://localhost:" + cdn.getPort() + "/cdn/blob")));
    stubToken("{\"token\":\"tok1\"}");
    cdn.stubFor(get("/cdn/blob").willReturn(aResponse().withStatus(200).withBody(blob)));

    try (BlobStream stream = registry.upstream().fetchBlob(REPO, digest, 0)) {
      assertThat(stream.body().readAllBytes()).isEqualTo(blob);
    }

    registry.verify(
        1,
        getRequestedFor(urlEqualTo(blobPath)).withHeader("Authorization", equalTo("Bearer tok1")));
    cdn.verify(1, getRequestedFor(urlEqualTo("/cdn/blob")).withoutHeader("Authorization"));
    cdn.verify(1, getRequestedFor(urlEqualTo("/cdn/blob")));
  }
}
