package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.time.Instant;

/** A committed blob as eviction sees it: how big, and when it was last served. */
public record StoredBlob(Digest digest, long size, Instant lastAccess) {}
