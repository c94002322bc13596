package io.stevedore.store;

import io.stevedore.oci.Digest;

/** A committed blob: its digest and size in bytes. */
public record BlobInfo(Digest digest, long size) {}
