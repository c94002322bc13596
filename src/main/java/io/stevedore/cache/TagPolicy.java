package io.stevedore.cache;

import io.stevedore.oci.MediaType;
import io.stevedore.store.TagEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decides, without doing it, how to answer a manifest request by tag: from the cache, after a cheap
 * upstream HEAD, or by fetching the manifest.
 */
final class TagPolicy {
  enum Decision {
    /** The cached digest is fresh: no upstream call. */
    SERVE_CACHED,
    /** The cached digest is past its freshness: HEAD upstream, fetch only if it changed. */
    REVALIDATE,
    /** Nothing usable is cached: GET upstream. */
    FETCH
  }

  private TagPolicy() {}

  /**
   * Whether the upstream, which answered a client accepting {@code cachedFor} with a manifest of
   * {@code mediaType}, would answer a client accepting {@code accepted} the same. It does when the
   * second client accepts that type, unless the answer may have been a stand-in: a registry gives a
   * client that does not take an index the index's manifest for its default platform instead. So a
   * single manifest cached for a client that refused some index type speaks only for clients that
   * refuse it too; an index, or a manifest cached for a client that took every index type, is what
   * the tag is.
   */
  static boolean answersAlike(List<String> cachedFor, String mediaType, List<String> accepted) {
    if (!accepted.contains(mediaType)) {
      return false;
    }
    return MediaType.isIndex(mediaType)
        || accepted.stream().filter(MediaType::isIndex).allMatch(cachedFor::contains);
  }

  static Decision decide(
      Optional<TagEntry> entry, List<String> accepted, Instant now, Duration freshness) {
    if (entry.isEmpty() || !accepted.contains(entry.get().mediaType())) {
      return Decision.FETCH;
    }
    Instant freshUntil = entry.get().checkedAt().plus(freshness);
    return now.isBefore(freshUntil) ? Decision.SERVE_CACHED : Decision.REVALIDATE;
  }
}
