package io.stevedore.upstream;

import io.stevedore.oci.Digest;

/** What a HEAD of a manifest tells: enough to know whether a cached tag changed. */
public record ManifestHead(Digest digest, String mediaType, long size) {}
