package io.stevedore.upstream;

import io.stevedore.config.Credentials;
import io.stevedore.config.UpstreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Asks a Bearer challenge's realm for a token (the distribution token protocol): anonymously, or
 * with the upstream's credentials as Basic auth.
 */
final class TokenFetcher {

  /** Tokens are a few KiB of JWT; anything much larger is not a token answer. */
  private static final int MAX_ANSWER_BYTES = 1024 * 1024;

  private final Credentials credentials;
  private final OkHttpClient client;
  private final Clock clock;
  private final UpstreamErrors errors;

  /**
   * @param client a client without the auth interceptor, so a token request never recurses
   */
  TokenFetcher(UpstreamConfig config, OkHttpClient client, Clock clock, UpstreamErrors errors) {
    this.credentials = config.credentials();
    this.client = client;
    this.clock = clock;
    this.errors = errors;
  }

  /**
   * A fresh token for the challenge's scope, or {@code defaultScope} when the challenge names none.
   *
   * @throws UpstreamFailure when the realm is missing or refuses, or its answer has no token
   */
  Token fetch(Challenge bearer, String defaultScope) throws IOException {
    HttpUrl realm =
        bearer
            .param("realm")
            .map(HttpUrl::parse)
            .orElseThrow(() -> failure("sent a Bearer challenge without a usable realm"));
    HttpUrl.Builder url = realm.newBuilder();
    bearer.param("service").ifPresent(service -> url.addQueryParameter("service", service));
    // Several scopes come space-separated in one challenge and go out as one parameter each.
    for (String scope : bearer.param("scope").orElse(defaultScope).split(" ")) {
      if (!scope.isEmpty()) {
        url.addQueryParameter("scope", scope);
      }
    }
    Request.Builder request = new Request.Builder().url(url.build());
    if (credentials.present()) {
      request.header(
          "Authorization",
          okhttp3.Credentials.basic(
              credentials.username(), credentials.password(), StandardCharsets.UTF_8));
    }
    try (Response response = client.newCall(request.build()).execute()) {
      if (!response.isSuccessful()) {
        throw new UpstreamFailure(errors.fromStatus(response));
      }
      try (InputStream body = response.body().byteStream()) {
        String json = new String(body.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
        return Token.parse(json, clock.instant());
      } catch (IllegalArgumentException e) {
        throw failure("token endpoint " + realm.host() + ": " + e.getMessage());
      }
    }
  }

  private UpstreamFailure failure(String what) {
    return new UpstreamFailure(errors.badAnswer(what));
  }
}
