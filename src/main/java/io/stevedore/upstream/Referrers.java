package io.stevedore.upstream;

/**
 * An upstream's answer to a referrers request.
 *
 * @param body the OCI image index, untouched
 * @param filtered whether the upstream applied the artifactType filter ({@code OCI-Filters-Applied:
 *     artifactType})
 */
public record Referrers(byte[] body, boolean filtered) {}
