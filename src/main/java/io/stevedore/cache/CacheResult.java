package io.stevedore.cache;

/** Where a response's content came from, for the access log and metrics. */
public enum CacheResult {
  /** Stored already (for a tag: fresh, or confirmed unchanged by a HEAD). */
  HIT,
  /** Fetched from the upstream for this request. */
  MISS,
  /** Followed a fill another request had started (single flight). */
  JOINED,
  /** The last known content of a tag the upstream could not confirm (stale-if-error). */
  STALE;

  /** The name used in logs and label values. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
