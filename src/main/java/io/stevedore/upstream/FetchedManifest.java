package io.stevedore.upstream;

import io.stevedore.oci.Digest;
import java.util.Optional;

/**
 * A manifest body as the upstream sent it.
 *
 * @param body the bytes, untouched
 * @param mediaType the upstream's Content-Type (parameters stripped)
 * @param claimedDigest the upstream's Docker-Content-Digest header, if any; not yet verified
 */
public record FetchedManifest(byte[] body, String mediaType, Optional<Digest> claimedDigest) {}
