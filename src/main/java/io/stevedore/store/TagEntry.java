package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.time.Instant;

/**
 * What a tag resolved to.
 *
 * @param digest the manifest's digest
 * @param mediaType the manifest's media type
 * @param checkedAt when the upstream last confirmed this digest for the tag
 */
public record TagEntry(Digest digest, String mediaType, Instant checkedAt) {}
