package io.stevedore.cache;

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

  static Decision decide(
      Optional<TagEntry> entry, List<String> accepted, Instant now, Duration freshness) {
    if (entry.isEmpty() || !accepted.contains(entry.get().mediaType())) {
      return Decision.FETCH;
    }
    Instant freshUntil = entry.get().checkedAt().plus(freshness);
    return now.isBefore(freshUntil) ? Decision.SERVE_CACHED : Decision.REVALIDATE;
  }
}
