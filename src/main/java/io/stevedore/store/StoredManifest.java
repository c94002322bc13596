package io.stevedore.store;

import io.stevedore.oci.Digest;

/** A manifest's bytes exactly as the upstream sent them, with its media type. */
public record StoredManifest(Digest digest, String mediaType, byte[] body) {}
