package io.stevedore.cache;

import io.stevedore.oci.Digest;

/**
 * A manifest to send to a client.
 *
 * @param stale true when it is the last known manifest of a tag that the upstream could not confirm
 *     (stale-if-error)
 */
public record ServedManifest(Digest digest, String mediaType, byte[] body, boolean stale) {}
