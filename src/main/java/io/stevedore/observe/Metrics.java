package io.stevedore.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.stevedore.cache.BlobListener;
import io.stevedore.cache.BufferUse;
import io.stevedore.oci.Digest;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.ClusterListener;
import io.stevedore.upstream.Upstream;
import io.stevedore.upstream.UpstreamListener;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Stevedore's metrics in Prometheus form, named by its conventions ({@code stevedore_} prefix,
 * {@code _total} counters, base units): requests and what the cache answered them with, upstream
 * requests and their bytes, rate limits and circuit breakers, fills, the store against its quota,
 * the cluster's owner fill, and the JVM and process. It hears requests, fills and upstream
 * exchanges as a listener, so the request path knows nothing of it.
 */
public final class Metrics
    implements RequestObserver, BlobListener, UpstreamListener, ClusterListener {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Clock clock;
  private final Map<Digest, Instant> fillStarts = new ConcurrentHashMap<>();
  private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();

  private final Counter requests =
      Counter.builder()
          .name("stevedore_http_requests_total")
          .help("Requests answered, by route, method and status class")
          .labelNames("route", "method", "status")
          .register(registry);
  private final Histogram requestDuration =
      Histogram.builder()
          .name("stevedore_http_request_duration_seconds")
          .help("Time from a request's arrival to the end of its answer")
          .unit(Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60)
          .labelNames("route")
          .register(registry);
  private final Counter responseBytes =
      Counter.builder()
          .name("stevedore_http_response_bytes_total")
          .help("Body bytes sent to clients, by route")
          .unit(Unit.BYTES)
          .labelNames("route")
          .register(registry);
  private final Counter cacheResults =
      Counter.builder()
          .name("stevedore_cache_requests_total")
          .help("Blob and manifest requests by what answered them: hit, miss, joined, stale")
          .labelNames("kind", "result")
          .register(registry);
  private final Counter upstreamRequests =
      Counter.builder()
          .name("stevedore_upstream_requests_total")
          .help("Requests to upstreams, each attempt, by method and status (0: no answer)")
          .labelNames("upstream", "method", "status")
          .register(registry);
  private final Counter upstreamBytes =
      Counter.builder()
          .name("stevedore_upstream_response_bytes_total")
          .help("Body bytes upstreams announced in their answers")
          .unit(Unit.BYTES)
          .labelNames("upstream")
          .register(registry);
  private final Counter fills =
      Counter.builder()
          .name("stevedore_fills_total")
          .help("Blob fills from upstream that ended, by result: committed or failed")
          .labelNames("result")
          .register(registry);
  private final Histogram fillDuration =
      Histogram.builder()
          .name("stevedore_fill_duration_seconds")
          .help("How long fills took, committed or failed")
          .unit(Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(0.1, 0.5, 2, 10, 30, 120, 600, 3600)
          .register(registry);
  private final Counter fillBytes =
      Counter.builder()
          .name("stevedore_fill_bytes_total")
          .help("Bytes of blobs fills committed")
          .unit(Unit.BYTES)
          .register(registry);
  private final Counter resumes =
      Counter.builder()
          .name("stevedore_fill_resumes_total")
          .help("Broken upstream connections a fill resumed with a Range request")
          .register(registry);
  private final Counter mismatches =
      Counter.builder()
          .name("stevedore_fill_digest_mismatches_total")
          .help("Fills whose upstream sent other bytes than the digest or size said")
          .register(registry);
  private final Counter evictions =
      Counter.builder()
          .name("stevedore_evictions_total")
          .help("Blobs evicted to keep within the quota")
          .register(registry);
  private final Counter evictedBytes =
      Counter.builder()
          .name("stevedore_evicted_bytes_total")
          .help("Bytes of blobs evicted")
          .unit(Unit.BYTES)
          .register(registry);

  private final Counter ownerRequests =
      Counter.builder()
          .name("stevedore_cluster_owner_requests_total")
          .help(
              "Internal hops from peers this node served as the owner of a digest, by kind and"
                  + " cache result (hit: the owner had it)")
          .labelNames("kind", "result")
          .register(registry);
  private final Counter peerFetches =
      Counter.builder()
          .name("stevedore_cluster_peer_fetches_total")
          .help("Blobs and manifests this node got from their owner peer instead of the upstream")
          .labelNames("peer", "kind")
          .register(registry);
  private final Counter peerFallbacks =
      Counter.builder()
          .name("stevedore_cluster_peer_fallbacks_total")
          .help(
              "Fetches that went to the upstream because the owner peer could not serve, by"
                  + " reason: unreachable, timeout, refused, error")
          .labelNames("peer", "reason")
          .register(registry);

  public Metrics(Clock clock) {
    this.clock = clock;
    JvmMetrics.builder().register(registry);
  }

  /**
   * Adds the gauges read when scraped: the store against its quota, and each upstream's circuit
   * breaker and rate-limit budget.
   */
  public void watch(StoreUsage store, List<Upstream> upstreams) {
    gauge("stevedore_store_blob_bytes", "Bytes of blobs stored", store::storedBytes);
    gauge("stevedore_store_quota_bytes", "The quota of stored blob bytes", store::quota);
    gauge("stevedore_store_pinned_bytes", "Bytes of pinned blobs", store::pinnedBytes);
    GaugeWithCallback.builder()
        .name("stevedore_upstream_circuit_open")
        .help("1 while an upstream is unreachable and calls to it fail at once, else 0")
        .labelNames("upstream")
        .callback(
            callback ->
                upstreams.forEach(u -> callback.call(u.circuitOpen() ? 1 : 0, u.config().name())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("stevedore_upstream_rate_limit_remaining")
        .help("Requests left in the upstream's rate-limit window, as its last answer said")
        .labelNames("upstream")
        .callback(
            callback ->
                upstreams.forEach(
                    u ->
                        u.rateLimit()
                            .filter(limit -> limit.remaining() >= 0)
                            .ifPresent(
                                limit -> callback.call(limit.remaining(), u.config().name()))))
        .register(registry);
  }

  /** Adds the gauges of the chunk buffers that responses and fills share. */
  public void watchBuffers(Supplier<BufferUse> buffers) {
    GaugeWithCallback.builder()
        .name("stevedore_chunk_buffers")
        .help("Chunk buffers out now (serving and filling), and the budget they share")
        .labelNames("of")
        .callback(
            callback -> {
              BufferUse use = buffers.get();
              callback.call(use.out(), "out");
              callback.call(use.budget(), "budget");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("stevedore_chunk_buffer_waits_total")
        .help("Responses that waited for a chunk buffer: rising means the heap is short")
        .callback(callback -> callback.call(buffers.get().waits()))
        .register(registry);
  }

  /** Adds the gauge of each peer's health: 1 while it is asked, 0 while it is left out. */
  public void watchPeers(Supplier<Map<String, Boolean>> health) {
    GaugeWithCallback.builder()
        .name("stevedore_cluster_peer_up")
        .help(
            "1 while a peer is asked for the digests it owns, 0 while it is left out after failing")
        .labelNames("peer")
        .callback(callback -> health.get().forEach((peer, up) -> callback.call(up ? 1 : 0, peer)))
        .register(registry);
  }

  private void gauge(String name, String help, LongSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .unit(Unit.BYTES)
        .callback(callback -> callback.call(value.getAsLong()))
        .register(registry);
  }

  /**
   * Writes every metric in the format {@code accept} asks for: OpenMetrics when it names {@code
   * application/openmetrics-text}, else the Prometheus text format.
   *
   * @return the content type written
   */
  public String write(String accept, OutputStream out) throws IOException {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    writer.write(out, registry.scrape());
    return writer.getContentType();
  }

  @Override
  public void answered(RequestRecord request) {
    RouteMeters route = routes.computeIfAbsent(request.route(), RouteMeters::new);
    route.requests(request.method(), request.status()).inc();
    route.duration.observe(request.durationNanos() / 1e9);
    route.bytes.inc(request.bytes());
    if (!request.cache().isEmpty()) {
      route.cache(request.cache()).inc();
    }
  }

  @Override
  public void servedAsOwner(String kind, String result) {
    ownerRequests.labelValues(kind, result).inc();
  }

  @Override
  public void fetchedFromPeer(String peer, String kind) {
    peerFetches.labelValues(peer, kind).inc();
  }

  @Override
  public void fellBack(String peer, String reason) {
    peerFallbacks.labelValues(peer, reason).inc();
  }

  /**
   * One route's data points, looked up once: the client's own lookup by label values allocates and
   * hashes them on every call, which a cached manifest request (tens of thousands a second) felt.
   */
  private final class RouteMeters {
    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private final String route;
    private final DistributionDataPoint duration;
    private final CounterDataPoint bytes;
    private final Map<String, CounterDataPoint[]> byMethod = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> byCache = new ConcurrentHashMap<>();

    RouteMeters(String route) {
      this.route = route;
      this.duration = requestDuration.labelValues(route);
      this.bytes = responseBytes.labelValues(route);
    }

    CounterDataPoint requests(String method, int status) {
      int statusClass = status / 100;
      if (statusClass < 0 || statusClass >= STATUS_CLASSES.length) {
        return requests.labelValues(route, method, statusClass + "xx");
      }
      CounterDataPoint[] classes =
          byMethod.computeIfAbsent(method, m -> new CounterDataPoint[STATUS_CLASSES.length]);
      CounterDataPoint point = classes[statusClass];
      if (point == null) {
        // A race makes two lookups of the same data point, which the client returns both times.
        point = requests.labelValues(route, method, STATUS_CLASSES[statusClass]);
        classes[statusClass] = point;
      }
      return point;
    }

    CounterDataPoint cache(String result) {
      return byCache.computeIfAbsent(result, r -> cacheResults.labelValues(route, r));
    }
  }

  @Override
  public void answered(String upstream, String method, int status, long bytes) {
    upstreamRequests.labelValues(upstream, method, String.valueOf(status)).inc();
    if (bytes > 0) {
      upstreamBytes.labelValues(upstream).inc(bytes);
    }
  }

  @Override
  public void unanswered(String upstream, String method) {
    upstreamRequests.labelValues(upstream, method, "0").inc();
  }

  @Override
  public void started(Digest digest, String upstream, RepositoryName repository) {
    fillStarts.put(digest, clock.instant());
  }

  @Override
  public void resumed(Digest digest, long at) {
    resumes.inc();
  }

  @Override
  public void mismatched(Digest digest) {
    mismatches.inc();
  }

  @Override
  public void committed(Digest digest, long size) {
    fills.labelValues("committed").inc();
    fillBytes.inc(size);
    ended(digest);
  }

  @Override
  public void failed(Digest digest, RuntimeException cause) {
    fills.labelValues("failed").inc();
    ended(digest);
  }

  @Override
  public void evicted(Digest digest, long size) {
    evictions.inc();
    evictedBytes.inc(size);
  }

  private void ended(Digest digest) {
    Instant start = fillStarts.remove(digest);
    if (start != null) {
      fillDuration.observe(Duration.between(start, clock.instant()).toNanos() / 1e9);
    }
  }
}
