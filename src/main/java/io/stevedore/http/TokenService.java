package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.auth.ClientAuth;
import io.stevedore.auth.IssuedToken;
import io.stevedore.oci.Json;
import io.stevedore.oci.RegistryException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /token}, the token endpoint of the registry token flow: Basic credentials (or none,
 * where anonymous clients may pull) in, a short-lived bearer token out, as Docker Hub's token
 * server answers ({@code token} and {@code access_token}, {@code expires_in}, {@code issued_at}).
 * The {@code scope} and {@code service} parameters are not needed: what a token may pull is decided
 * on each request by the access rules.
 */
final class TokenService implements HttpService {
  static final String BASIC_CHALLENGE = "Basic realm=\"" + ClientGate.SERVICE + "\"";

  private final ClientAuth auth;

  TokenService(ClientAuth auth) {
    this.auth = auth;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::token);
  }

  private void token(ServerRequest request, ServerResponse response) {
    IssuedToken issued;
    try {
      issued = auth.issueToken(request.headers().first(HeaderNames.AUTHORIZATION));
    } catch (RegistryException e) {
      response.header(HeaderNames.WWW_AUTHENTICATE, BASIC_CHALLENGE);
      throw e;
    }
    String token = Json.quote(issued.token());
    String body =
        "{\"token\":"
            + token
            + ",\"access_token\":"
            + token
            + ",\"expires_in\":"
            + issued.expiresIn().toSeconds()
            + ",\"issued_at\":"
            + Json.quote(issued.issuedAt().toString())
            + "}";
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    // A token is a credential: no cache between client and mirror may keep it.
    response.header(HeaderNames.CACHE_CONTROL, "no-store");
    response.send(body.getBytes(StandardCharsets.UTF_8));
  }
}
