package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.Upstream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An image whose blobs are stored (imported and verified), to be recorded as the upstream would
 * have served it.
 *
 * @param pin the name its content is pinned under (the reference as written in the archive)
 * @param tag the tag it is served under, when it was referenced by tag
 * @param manifests its manifests, the top one (index or manifest) first
 * @param digests every digest of it, manifests and blobs: what the pin holds
 */
public record ImportedImage(
    Upstream upstream,
    RepositoryName repository,
    String pin,
    Optional<Reference.Tag> tag,
    List<CachedManifest> manifests,
    Set<Digest> digests) {}
