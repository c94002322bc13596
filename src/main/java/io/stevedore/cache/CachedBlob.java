package io.stevedore.cache;

import io.stevedore.oci.Digest;
import java.time.Instant;

/** A blob the cache holds: how big, and when it was last served (its commit time if never). */
public record CachedBlob(Digest digest, long size, Instant lastAccess) {}
