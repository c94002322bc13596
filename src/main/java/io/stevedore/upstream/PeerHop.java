package io.stevedore.upstream;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An internal hop: a node of the cluster asking the owner of a digest for it. The request names the
 * upstream the content is for and carries a proof, the HMAC-SHA256 of that name and the request
 * path under the secret the cluster shares. The secret itself never travels, and a proof overheard
 * opens only the one path it was made for.
 */
public final class PeerHop {
  /** The name of the upstream the hop asks for; a request with it is a hop. */
  public static final String UPSTREAM_HEADER = "Stevedore-Hop-Upstream";

  /** The proof, in hex. */
  public static final String PROOF_HEADER = "Stevedore-Hop-Proof";

  private final SecretKeySpec key;

  public PeerHop(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** The proof of a hop to {@code path} (the raw request path) for {@code upstream}. */
  String proof(String upstream, String path) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(upstream.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0); // the boundary counts: upstream "a" and path "b/c" is not "ab" and "/c"
      mac.update(path.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  /** Whether {@code proof} is this cluster's, in time that does not tell where it differs. */
  public boolean verify(String upstream, String path, String proof) {
    return MessageDigest.isEqual(
        proof(upstream, path).getBytes(StandardCharsets.US_ASCII),
        proof.getBytes(StandardCharsets.US_ASCII));
  }
}
