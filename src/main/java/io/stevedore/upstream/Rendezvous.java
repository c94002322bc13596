package io.stevedore.upstream;

import io.stevedore.oci.Digest;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;

/**
 * Rendezvous (highest random weight) hashing: the owner of a digest is the candidate whose hash
 * with the digest weighs most. Every node computes the same owner from the same candidates, with no
 * coordination, and a candidate that joins or leaves moves only the digests it owns or comes to
 * own: about one in N.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /**
   * The owner of {@code digest} among {@code candidates} (peer URLs spelt as {@link
   * io.stevedore.config.ClusterConfig#peerUrl} spells them).
   *
   * @throws IllegalArgumentException when there is no candidate
   */
  public static URI owner(Collection<URI> candidates, Digest digest) {
    URI best = null;
    long bestWeight = 0;
    for (URI candidate : candidates) {
      long weight = weight(candidate, digest);
      if (best == null
          || Long.compareUnsigned(weight, bestWeight) > 0
          || (weight == bestWeight && candidate.toString().compareTo(best.toString()) < 0)) {
        best = candidate;
        bestWeight = weight;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no candidate to own " + digest);
    }
    return best;
  }

  /** The first 64 bits of SHA-256 over the candidate and the digest: spread evenly, stable. */
  private static long weight(URI candidate, Digest digest) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(candidate.toString().getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) 0);
      sha256.update(digest.toString().getBytes(StandardCharsets.US_ASCII));
      return ByteBuffer.wrap(sha256.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
