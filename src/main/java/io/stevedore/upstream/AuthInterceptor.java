package io.stevedore.upstream;

import io.stevedore.config.Credentials;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Authenticates requests to one upstream: sends a cached Bearer token (or Basic credentials once
 * the upstream asked for them) up front, and answers a 401 challenge by retrying once.
 *
 * <p>It must be an application interceptor: OkHttp follows redirects below it and drops {@code
 * Authorization} when a redirect leaves the host (a blob's CDN), which a network interceptor would
 * undo by adding the header to every hop.
 */
final class AuthInterceptor implements Interceptor {

  /** The token scope a request needs; a tag on each request. */
  record Scope(String value) {
    static Scope pull(RepositoryName repository) {
      return new Scope("repository:" + repository + ":pull");
    }
  }

  private final Credentials credentials;
  private final TokenCache tokens;
  private final TokenFetcher fetcher;
  private volatile boolean basicWanted;

  AuthInterceptor(Credentials credentials, TokenCache tokens, TokenFetcher fetcher) {
    this.credentials = credentials;
    this.tokens = tokens;
    this.fetcher = fetcher;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Scope tag = request.tag(Scope.class);
    String scope = tag == null ? "" : tag.value();
    Request first = authorize(request, scope);
    Response response = chain.proceed(first);
    if (response.code() != 401) {
      return response;
    }
    List<Challenge> challenges = new ArrayList<>();
    for (String header : response.headers("WWW-Authenticate")) {
      challenges.addAll(Challenge.parse(header));
    }
    Optional<String> answer;
    try {
      answer = answer(challenges, scope);
    } catch (IOException e) {
      response.close(); // the token endpoint failed: release the challenged connection
      throw e;
    }
    // Sending what was just refused again cannot succeed: let the 401 through instead.
    if (answer.isEmpty() || answer.get().equals(first.header("Authorization"))) {
      return response;
    }
    response.close();
    return chain.proceed(request.newBuilder().header("Authorization", answer.get()).build());
  }

  private Request authorize(Request request, String scope) {
    Optional<String> header = tokens.get(scope).map(token -> "Bearer " + token.value());
    if (header.isEmpty() && basicWanted) {
      header = Optional.of(basic());
    }
    return header
        .map(value -> request.newBuilder().header("Authorization", value).build())
        .orElse(request);
  }

  /** The Authorization header that answers the challenges; Bearer wins over Basic. */
  private Optional<String> answer(List<Challenge> challenges, String scope) throws IOException {
    for (Challenge challenge : challenges) {
      if (challenge.is("bearer")) {
        Token token = fetcher.fetch(challenge, scope);
        tokens.put(scope, token);
        return Optional.of("Bearer " + token.value());
      }
    }
    if (credentials.present() && challenges.stream().anyMatch(c -> c.is("basic"))) {
      basicWanted = true;
      return Optional.of(basic());
    }
    return Optional.empty();
  }

  private String basic() {
    return okhttp3.Credentials.basic(
        credentials.username(), credentials.password(), StandardCharsets.UTF_8);
  }
}
