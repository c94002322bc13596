package io.stevedore.cache;

import io.stevedore.oci.Digest;

/**
 * A manifest to send to a client.
 *
 * @param result where it came from; {@link CacheResult#STALE} for the last known manifest of a tag
 *     that the upstream could not confirm (stale-if-error)
 */
public record ServedManifest(Digest digest, String mediaType, byte[] body, CacheResult result) {
  public boolean stale() {
    return result == CacheResult.STALE;
  }

  /** As a request that joined the one fetching it sees it. */
  ServedManifest joined() {
    return result == CacheResult.MISS
        ? new ServedManifest(digest, mediaType, body, CacheResult.JOINED)
        : this;
  }
}
