package io.stevedore.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.upstream.PeerHop;
import java.util.Optional;

/**
 * Admits internal hops: a request that names an upstream in {@link PeerHop#UPSTREAM_HEADER} must
 * prove it comes from a node of this cluster, or it is refused with 401 (the asking node then
 * fetches from the upstream itself). A proven hop needs no client authentication (the peer's own
 * clients passed theirs) and is served from the named upstream directly. Requests without the
 * header pass untouched.
 */
final class PeerGate implements Filter {
  private static final HeaderName UPSTREAM = HeaderNames.create(PeerHop.UPSTREAM_HEADER);
  private static final HeaderName PROOF = HeaderNames.create(PeerHop.PROOF_HEADER);

  private final Optional<PeerHop> hop;

  /**
   * @param hop proves hops; empty on a node without a cluster secret, which refuses every hop
   */
  PeerGate(Optional<PeerHop> hop) {
    this.hop = hop;
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    Optional<String> upstream = request.headers().first(UPSTREAM);
    if (upstream.isEmpty()) {
      chain.proceed();
      return;
    }
    String proof = request.headers().first(PROOF).orElse("");
    if (hop.isEmpty()) {
      refuse(response, "this node has no cluster secret and serves no peer");
      return;
    }
    if (!hop.get().verify(upstream.get(), request.path().rawPath(), proof)) {
      refuse(
          response, "the peer's proof does not match: its cluster secret differs from this node's");
      return;
    }
    RequestNotes.current().peer(upstream.get());
    chain.proceed();
  }

  private static void refuse(RoutingResponse response, String message) {
    response.header(RegistryService.API_VERSION, "registry/2.0");
    ErrorResponses.send(response, new RegistryException(ErrorCode.UNAUTHORIZED, 401, message));
  }
}
