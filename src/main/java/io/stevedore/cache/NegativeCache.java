package io.stevedore.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.stevedore.oci.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Upstream "not found" answers for manifests, tags and blobs, remembered for a while (each
 * upstream's {@code negative-ttl}) so that a crash-looping pod asking for a missing tag does not
 * hammer the upstream (and its rate limit).
 */
final class NegativeCache {
  /** What was not found: {@code what} names the digest or tag within the repository. */
  record Key(String upstream, String repository, String what) {}

  private record Entry(RegistryException error, Duration ttl) {}

  private final Cache<Key, Entry> entries;

  NegativeCache(Clock clock) {
    this.entries =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .ticker(() -> clock.millis() * 1_000_000L)
            .expireAfter(Expiry.<Key, Entry>creating((key, entry) -> entry.ttl()))
            .build();
  }

  /** The remembered 404 for {@code key}, if it has not expired. */
  Optional<RegistryException> find(Key key) {
    return Optional.ofNullable(entries.getIfPresent(key)).map(Entry::error);
  }

  /** Remembers {@code error} for {@code key} when it is a 404 and {@code ttl} is positive. */
  void rememberIfNotFound(Key key, RegistryException error, Duration ttl) {
    if (error.status() == 404 && ttl.isPositive()) {
      entries.put(key, new Entry(error, ttl));
    }
  }

  /** Forgets every answer about {@code repository}: content for it arrived another way. */
  void forget(String upstream, String repository) {
    entries
        .asMap()
        .keySet()
        .removeIf(key -> key.upstream().equals(upstream) && key.repository().equals(repository));
  }

  /** Forgets every answer about {@code what}, in every repository: it was found after all. */
  void forgetEverywhere(String what) {
    entries.asMap().keySet().removeIf(key -> key.what().equals(what));
  }
}
