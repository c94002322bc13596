package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may use the admin listener: with a token configured, whoever presents it as a bearer token;
 * without one, only callers on this machine. Never anyone else.
 */
final class AdminAccess {
  private final Optional<byte[]> token;

  AdminAccess(Optional<String> token) {
    this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws RegistryException 401 without the token, 403 DENIED from another machine
   */
  void require(ServerRequest request) {
    if (token.isEmpty()) {
      if (!local(request)) {
        throw new RegistryException(
            ErrorCode.DENIED, "maintenance is only allowed from this machine");
      }
      return;
    }
    byte[] presented =
        request
            .headers()
            .first(HeaderNames.AUTHORIZATION)
            .filter(value -> value.startsWith("Bearer "))
            .map(value -> value.substring("Bearer ".length()).strip())
            .orElse("")
            .getBytes(StandardCharsets.UTF_8);
    // Constant time: how long a wrong token takes must not tell how much of it was right.
    if (!MessageDigest.isEqual(presented, token.get())) {
      throw new RegistryException(
          ErrorCode.UNAUTHORIZED, 401, "the admin API needs the admin token (admin.token-file)");
    }
  }

  private static boolean local(ServerRequest request) {
    if (request.remotePeer().address() instanceof InetSocketAddress inet) {
      InetAddress ip = inet.getAddress();
      return ip != null && ip.isLoopbackAddress();
    }
    return false;
  }
}
