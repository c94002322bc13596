package io.stevedore.cache;

import io.stevedore.oci.Digest;

/** A manifest the cache holds, verified against its digest when it was stored. */
public record CachedManifest(Digest digest, String mediaType, byte[] body) {}
