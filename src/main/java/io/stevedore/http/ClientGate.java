package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.auth.Client;
import io.stevedore.auth.ClientAuth;
import io.stevedore.config.AuthMode;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.route.UpstreamRouter;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Client authentication in front of the registry API: every {@code /v2/} request is authenticated
 * and, for a repository, authorized on the upstream and repository it routes to, before the
 * registry service runs, so a refused request never starts an upstream fetch. Refusals are {@code
 * 401 UNAUTHORIZED} with the challenge real clients follow ({@code Bearer} with the token realm, or
 * {@code Basic}), and {@code 403 DENIED} for a user whose rules do not cover the repository. The
 * other endpoints ({@code /token}, admin, metrics, health) and internal hops that a {@link
 * PeerGate} admitted pass untouched.
 */
final class ClientGate implements Filter {
  /** A Host header safe to repeat inside the quoted realm: a host name or address and a port. */
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9.\\-]+(:\\d+)?|\\[[0-9A-Fa-f:.]+\\](:\\d+)?");

  static final String SERVICE = "stevedore";

  private final ClientAuth auth;
  private final UpstreamRouter router;

  ClientGate(ClientAuth auth, UpstreamRouter router) {
    this.auth = auth;
    this.router = router;
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    String path = request.path().path();
    boolean peer = RequestNotes.current().peerUpstream().isPresent();
    if (!peer && (path.equals("/v2") || path.startsWith("/v2/"))) {
      try {
        admit(request, response, path);
      } catch (RegistryException refused) {
        ErrorResponses.send(response, refused);
        return;
      }
    }
    chain.proceed();
  }

  private void admit(ServerRequest request, ServerResponse response, String path) {
    // Refusals come from a registry too: Docker reads the version header of the 401 of its ping.
    response.header(RegistryService.API_VERSION, "registry/2.0");
    Optional<Client> client;
    try {
      client = auth.authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
    } catch (RegistryException e) {
      throw challenge(request, response, Optional.empty(), Optional.of("invalid_token"), e);
    }
    ApiPath api = ApiPath.parse(request.path().rawPath());
    if (api instanceof ApiPath.Base && client.isEmpty()) {
      // The version check is where clients learn how to authenticate.
      throw challenge(
          request,
          response,
          Optional.empty(),
          Optional.empty(),
          new RegistryException(ErrorCode.UNAUTHORIZED, 401, "authentication required"));
    }
    Optional<String> name = repository(api);
    if (name.isEmpty()) {
      return;
    }
    UpstreamRouter.Route route = RegistryService.route(router, request, name.get());
    String upstream = route.upstream().config().name();
    switch (auth.access(client, upstream, route.repository())) {
      case GRANTED -> {}
      case CHALLENGE ->
          throw challenge(
              request,
              response,
              name,
              Optional.of("insufficient_scope"),
              new RegistryException(
                  ErrorCode.UNAUTHORIZED,
                  401,
                  "authentication required to pull " + route.repository().value()));
      case DENIED ->
          throw new RegistryException(
              ErrorCode.DENIED,
              "user "
                  + client.orElseThrow()
                  + " may not pull repository "
                  + route.repository().value()
                  + " of upstream "
                  + upstream);
    }
  }

  /** The repository name as the client wrote it, for requests about a repository. */
  private static Optional<String> repository(ApiPath api) {
    return switch (api) {
      case ApiPath.Manifest m -> Optional.of(m.name());
      case ApiPath.Blob b -> Optional.of(b.name());
      case ApiPath.Referrers r -> Optional.of(r.name());
      case ApiPath.Tags t -> Optional.of(t.name());
      case ApiPath.Base b -> Optional.empty();
      case ApiPath.Unsupported u -> Optional.empty();
    };
  }

  /**
   * Adds the {@code WWW-Authenticate} challenge to a 401: Bearer with the token realm and, for a
   * repository, the pull scope a token is wanted for; or Basic.
   */
  private RegistryException challenge(
      ServerRequest request,
      ServerResponse response,
      Optional<String> repository,
      Optional<String> error,
      RegistryException unauthorized) {
    String challenge;
    if (auth.mode() == AuthMode.TOKEN) {
      StringBuilder bearer =
          new StringBuilder("Bearer realm=\"")
              .append(realm(request))
              .append("\",service=\"")
              .append(SERVICE)
              .append('"');
      repository.ifPresent(r -> bearer.append(",scope=\"repository:").append(r).append(":pull\""));
      error.ifPresent(e -> bearer.append(",error=\"").append(e).append('"'));
      challenge = bearer.toString();
    } else {
      challenge = TokenService.BASIC_CHALLENGE;
    }
    response.header(HeaderNames.WWW_AUTHENTICATE, challenge);
    return unauthorized;
  }

  /** The configured realm, or this server's {@code /token} as the client reached it. */
  private String realm(ServerRequest request) {
    return auth.tokenRealm()
        .map(Object::toString)
        .orElseGet(
            () -> {
              String host = request.authority();
              if (host == null || !HOST.matcher(host).matches()) {
                host = request.localPeer().host() + ":" + request.localPeer().port();
              }
              return (request.isSecure() ? "https" : "http") + "://" + host + "/token";
            });
  }
}
