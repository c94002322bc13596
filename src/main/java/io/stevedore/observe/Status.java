package io.stevedore.observe;

import io.stevedore.cache.BlobListener;
import io.stevedore.cache.Cache;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Json;
import io.stevedore.oci.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The mirror at a glance, as the status page shows it ({@code /_stevedore/status.json}): the store
 * against its quota, the hit ratio, the fills running now with their progress, the upstreams, the
 * cluster's peers, recent evictions and pinned images. It hears fills, evictions and requests as a
 * listener.
 */
public final class Status implements BlobListener, RequestObserver {
  private static final int RECENT_EVICTIONS = 20;

  private final Cache cache;
  private final StoreUsage usage;
  private final Health health;
  private final Supplier<Map<String, Boolean>> peers;
  private final Clock clock;
  private final Map<Digest, RunningFill> fills = new ConcurrentHashMap<>();
  private final Deque<Eviction> evictions = new ArrayDeque<>();
  // Added to by every request on every core: adders do not make them wait on one another.
  private final Map<String, LongAdder> results = new ConcurrentHashMap<>();

  /**
   * @param peers each other node of the cluster by URL, and whether it is asked for the digests it
   *     owns (false while it is left out after failing); empty outside a cluster
   */
  public Status(
      Cache cache,
      StoreUsage usage,
      Health health,
      Supplier<Map<String, Boolean>> peers,
      Clock clock) {
    this.cache = cache;
    this.usage = usage;
    this.health = health;
    this.peers = peers;
    this.clock = clock;
  }

  private record RunningFill(
      String upstream, RepositoryName repository, Instant started, long stored, long size) {
    RunningFill progressed(long nowStored, long nowSize) {
      return new RunningFill(upstream, repository, started, nowStored, nowSize);
    }
  }

  private record Eviction(Digest digest, long size, Instant at) {}

  @Override
  public void started(Digest digest, String upstream, RepositoryName repository) {
    fills.put(digest, new RunningFill(upstream, repository, clock.instant(), 0, -1));
  }

  @Override
  public void progressed(Digest digest, long stored, long size) {
    fills.computeIfPresent(digest, (d, fill) -> fill.progressed(stored, size));
  }

  @Override
  public void committed(Digest digest, long size) {
    fills.remove(digest);
  }

  @Override
  public void failed(Digest digest, RuntimeException cause) {
    fills.remove(digest);
  }

  @Override
  public void evicted(Digest digest, long size) {
    synchronized (evictions) {
      evictions.addFirst(new Eviction(digest, size, clock.instant()));
      while (evictions.size() > RECENT_EVICTIONS) {
        evictions.removeLast();
      }
    }
  }

  @Override
  public void answered(RequestRecord request) {
    if (!request.cache().isEmpty()) {
      results.computeIfAbsent(request.cache(), r -> new LongAdder()).increment();
    }
  }

  /** Everything the status page shows, as one JSON object. */
  public String json() {
    Instant now = clock.instant();
    Optional<String> unready = health.unready();
    long hits = count("hit") + count("joined");
    long served = hits + count("miss") + count("stale");
    return "{\"time\":"
        + Json.quote(now.toString())
        + ",\"store\":{\"storedBytes\":"
        + usage.storedBytes()
        + ",\"quotaBytes\":"
        + usage.quota()
        + ",\"pinnedBytes\":"
        + usage.pinnedBytes()
        + ",\"writable\":"
        + unready.isEmpty()
        + unready.map(r -> ",\"reason\":" + Json.quote(r)).orElse("")
        + "},\"cache\":{\"hits\":"
        + count("hit")
        + ",\"joined\":"
        + count("joined")
        + ",\"misses\":"
        + count("miss")
        + ",\"stale\":"
        + count("stale")
        + ",\"hitRatio\":"
        + (served == 0 ? "null" : String.valueOf((double) hits / served))
        + "},\"fills\":"
        + fills(now)
        + ",\"upstreams\":"
        + health.upstreamsJson()
        + ",\"peers\":"
        + peers()
        + ",\"recentEvictions\":"
        + evictions()
        + ",\"pinned\":"
        + pinned()
        + "}";
  }

  private long count(String result) {
    LongAdder count = results.get(result);
    return count == null ? 0 : count.sum();
  }

  private String fills(Instant now) {
    StringJoiner out = new StringJoiner(",", "[", "]");
    fills.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(Comparator.comparing(Digest::toString)))
        .forEach(
            entry -> {
              Digest digest = entry.getKey();
              RunningFill fill = entry.getValue();
              double seconds = Math.max(Duration.between(fill.started(), now).toMillis(), 1) / 1e3;
              out.add(
                  "{\"digest\":"
                      + Json.quote(digest.toString())
                      + ",\"upstream\":"
                      + Json.quote(fill.upstream())
                      + ",\"repository\":"
                      + Json.quote(fill.repository().value())
                      + ",\"storedBytes\":"
                      + fill.stored()
                      + ",\"sizeBytes\":"
                      + fill.size()
                      + ",\"bytesPerSecond\":"
                      + Math.round(fill.stored() / seconds)
                      + ",\"waiters\":"
                      + cache.blobs().readers(digest)
                      + ",\"startedAt\":"
                      + Json.quote(fill.started().toString())
                      + "}");
            });
    return out.toString();
  }

  private String peers() {
    StringJoiner out = new StringJoiner(",", "[", "]");
    new TreeMap<>(peers.get())
        .forEach((url, up) -> out.add("{\"url\":" + Json.quote(url) + ",\"up\":" + up + "}"));
    return out.toString();
  }

  private String evictions() {
    StringJoiner out = new StringJoiner(",", "[", "]");
    synchronized (evictions) {
      for (Eviction eviction : evictions) {
        out.add(
            "{\"digest\":"
                + Json.quote(eviction.digest().toString())
                + ",\"bytes\":"
                + eviction.size()
                + ",\"at\":"
                + Json.quote(eviction.at().toString())
                + "}");
      }
    }
    return out.toString();
  }

  private String pinned() {
    StringJoiner out = new StringJoiner(",", "[", "]");
    new TreeMap<String, Set<Digest>>(cache.contents().pins())
        .forEach(
            (image, digests) ->
                out.add(
                    "{\"image\":" + Json.quote(image) + ",\"digests\":" + digests.size() + "}"));
    return out.toString();
  }
}
