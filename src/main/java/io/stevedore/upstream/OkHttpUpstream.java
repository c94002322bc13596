package io.stevedore.upstream;

import static io.stevedore.upstream.ResponseHeaders.claimedDigest;
import static io.stevedore.upstream.ResponseHeaders.contentLength;
import static io.stevedore.upstream.ResponseHeaders.mediaType;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/** An {@link Upstream} spoken to over HTTP with OkHttp. Safe for concurrent use. */
public final class OkHttpUpstream implements Upstream {

  private final UpstreamConfig config;
  private final HttpUrl base;
  private final OkHttpClient client;
  private final OkHttpClient blobClient;
  private final UpstreamErrors errors;
  private final ConnectionLimit connections;
  private final RateLimitTracker rateLimits;

  /**
   * @param client a base client, shared across upstreams for its connection pool and dispatcher;
   *     this upstream derives its own with the configured timeouts, TLS trust, egress proxy,
   *     connection cap and authentication
   * @param clock decides when cached tokens expire and what a Retry-After date means
   * @throws IllegalArgumentException when the CA file or the proxy setting is unusable
   */
  public OkHttpUpstream(UpstreamConfig config, OkHttpClient client, Clock clock) {
    this(config, client, clock, UpstreamListener.NONE);
  }

  /** An upstream whose every request and answer {@code listener} hears. */
  public OkHttpUpstream(
      UpstreamConfig config, OkHttpClient client, Clock clock, UpstreamListener listener) {
    this.config = config;
    this.base = HttpUrl.get(config.url().toString());
    this.errors = new UpstreamErrors(config, clock);
    OkHttpClient.Builder builder =
        client
            .newBuilder()
            .connectTimeout(config.connectTimeout())
            .readTimeout(config.readTimeout())
            .followRedirects(true);
    // Token requests and blob redirects go out the way the registry's own requests do.
    TlsConfig.apply(config, builder);
    EgressProxy.of(config).ifPresent(builder::proxy);
    OkHttpClient plain = builder.build();
    TokenFetcher fetcher = new TokenFetcher(config, plain, clock, errors);
    this.connections = new ConnectionLimit(config.maxConnections());
    this.rateLimits = new RateLimitTracker(config.name(), clock);
    // Outermost the cap (one permit per logical request), innermost the rate-limit reading and
    // the listener (they see the answer to each attempt, the auth retry's included).
    this.client =
        plain
            .newBuilder()
            .addInterceptor(connections)
            .addInterceptor(
                new AuthInterceptor(config.credentials(), new TokenCache(clock), fetcher))
            .addInterceptor(rateLimits)
            .addInterceptor(new ListeningInterceptor(config.name(), listener))
            .build();
    // Blob bodies over HTTP/1.1; everything else as negotiated, which is HTTP/2 with most
    // registries over TLS, multiplexing tags, manifests and tokens on one connection. OkHttp's
    // HTTP/2 reads every 16 KiB frame on a reader thread of its own, buffers it and wakes the
    // body's reader; over HTTP/1.1 the fill reads the socket itself. A cold 335 MB blob from a
    // TLS upstream (Go's registry, which offers h2): 375 MB/s against 284, 1.10 CPU s against 1.51
    // (perf/cold-ab.sh, UPSTREAM_TLS=1). The blob client is derived from this one (trust, proxy,
    // connection cap, auth); a blob fetch takes a connection of its own, as a Docker client's do.
    this.blobClient = this.client.newBuilder().protocols(List.of(Protocol.HTTP_1_1)).build();
  }

  /** An upstream on the process-wide base client, so all upstreams share one connection pool. */
  public static Upstream create(UpstreamConfig config, Clock clock, UpstreamListener listener) {
    return new OkHttpUpstream(config, SharedClient.INSTANCE, clock, listener);
  }

  /** A base client with a connection pool that follows redirects (blobs live on CDNs). */
  public static OkHttpClient defaultClient() {
    return new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(16, 5, TimeUnit.MINUTES))
        .socketFactory(ReadBufferedSockets.INSTANCE)
        .followRedirects(true)
        .followSslRedirects(true)
        .build();
  }

  /** The base client of {@link #create}: one connection pool and dispatcher for all upstreams. */
  private static final class SharedClient {
    static final OkHttpClient INSTANCE = defaultClient();
  }

  @Override
  public UpstreamConfig config() {
    return config;
  }

  @Override
  public FetchedManifest fetchManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    Request request = manifestRequest(repository, reference, accept).get().build();
    try (Response response = execute(request)) {
      if (!response.isSuccessful()) {
        throw errors.fromResponse(response, ErrorCode.MANIFEST_UNKNOWN);
      }
      byte[] body =
          readCapped(
              response,
              () ->
                  new RegistryException(
                      ErrorCode.MANIFEST_INVALID,
                      502,
                      "upstream "
                          + config.name()
                          + " sent a manifest over "
                          + MAX_MANIFEST_BYTES
                          + " bytes for "
                          + repository
                          + ":"
                          + reference));
      return new FetchedManifest(body, mediaType(response), claimedDigest(response));
    }
  }

  @Override
  public Optional<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    Request request = manifestRequest(repository, reference, accept).head().build();
    try (Response response = execute(request)) {
      if (response.code() == 404) {
        return Optional.empty();
      }
      if (!response.isSuccessful()) {
        throw errors.fromResponse(response, ErrorCode.MANIFEST_UNKNOWN);
      }
      Optional<Digest> digest = claimedDigest(response);
      long size = contentLength(response);
      if (digest.isPresent() && size >= 0) {
        return Optional.of(new ManifestHead(digest.get(), mediaType(response), size));
      }
    }
    // Without a digest header a HEAD cannot tell which manifest the tag names: read it.
    FetchedManifest manifest = fetchManifest(repository, reference, accept);
    Digest digest =
        reference instanceof Reference.ByDigest(Digest asked)
            ? asked.recompute(manifest.body())
            : Digest.sha256(manifest.body());
    return Optional.of(new ManifestHead(digest, manifest.mediaType(), manifest.body().length));
  }

  @Override
  public BlobStream fetchBlob(RepositoryName repository, Digest digest, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, got " + offset);
    }
    Request.Builder request = blobRequest(repository, digest).get();
    if (offset > 0) {
      request.header("Range", "bytes=" + offset + "-");
    }
    Response response = execute(blobClient, request.build());
    try {
      if (response.code() == 206) {
        checkRangeStart(response, offset);
        return new BlobStream(body(response), offset, contentLength(response));
      }
      if (response.code() == 200) {
        return new BlobStream(body(response), 0, contentLength(response));
      }
      throw errors.fromResponse(response, ErrorCode.BLOB_UNKNOWN);
    } catch (RuntimeException e) {
      response.close();
      throw e;
    }
  }

  @Override
  public Optional<Long> headBlob(RepositoryName repository, Digest digest) {
    try (Response response = execute(blobRequest(repository, digest).head().build())) {
      if (response.code() == 404) {
        return Optional.empty();
      }
      if (!response.isSuccessful()) {
        throw errors.fromResponse(response, ErrorCode.BLOB_UNKNOWN);
      }
      long size = contentLength(response);
      if (size < 0) {
        throw errors.badAnswer("answered HEAD of blob " + digest + " without a Content-Length");
      }
      return Optional.of(size);
    }
  }

  @Override
  public Optional<Referrers> fetchReferrers(
      RepositoryName repository, Digest subject, String artifactType) {
    HttpUrl.Builder url =
        v2(repository).addPathSegment("referrers").addPathSegment(subject.toString());
    if (artifactType != null) {
      url.addQueryParameter("artifactType", artifactType);
    }
    Request request =
        request(url.build(), repository).header("Accept", MediaType.OCI_INDEX).get().build();
    try (Response response = execute(request)) {
      if (response.code() == 404) {
        return Optional.empty();
      }
      if (!response.isSuccessful()) {
        throw errors.fromStatus(response);
      }
      byte[] body =
          readCapped(
              response,
              () ->
                  errors.badAnswer(
                      "sent referrers over "
                          + MAX_MANIFEST_BYTES
                          + " bytes for "
                          + repository
                          + "@"
                          + subject));
      return Optional.of(new Referrers(body, filtersApplied(response).contains("artifactType")));
    }
  }

  @Override
  public boolean ping() {
    if (config.offline()) {
      return false;
    }
    Request request = new Request.Builder().url(config.url() + "/v2/").get().build();
    try (Response response = client.newCall(request).execute()) {
      return response.code() == 200 || response.code() == 401;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public Optional<RateLimit> rateLimit() {
    return rateLimits.latest();
  }

  @Override
  public TagList listTags(RepositoryName repository, Integer n, String last) {
    HttpUrl.Builder url = v2(repository).addPathSegments("tags/list");
    if (n != null) {
      url.addQueryParameter("n", n.toString());
    }
    if (last != null) {
      url.addQueryParameter("last", last);
    }
    try (Response response = execute(request(url.build(), repository).get().build())) {
      if (!response.isSuccessful()) {
        throw errors.fromResponse(response, ErrorCode.NAME_UNKNOWN);
      }
      byte[] body =
          readCapped(
              response,
              () ->
                  errors.badAnswer(
                      "sent a tag list over " + MAX_MANIFEST_BYTES + " bytes for " + repository));
      Optional<HttpUrl> next = LinkHeader.next(response.header("Link"), response.request().url());
      return new TagList(
          body,
          next.map(link -> link.queryParameter("last")),
          next.map(link -> link.queryParameter("n"))
              .flatMap(ResponseHeaders::parseLong)
              .filter(pageSize -> pageSize > 0 && pageSize <= Integer.MAX_VALUE)
              .map(Long::intValue));
    }
  }

  /** The filters named by {@code OCI-Filters-Applied}, a comma-separated list. */
  private static List<String> filtersApplied(Response response) {
    return response.headers("OCI-Filters-Applied").stream()
        .flatMap(header -> Arrays.stream(header.split(",")))
        .map(String::strip)
        .toList();
  }

  /** How many requests may still open, and how many wait: the connection cap at work. */
  ConnectionLimit connectionLimit() {
    return connections;
  }

  private Request.Builder manifestRequest(
      RepositoryName repository, Reference reference, List<String> accept) {
    HttpUrl url =
        v2(repository).addPathSegment("manifests").addPathSegment(reference.toString()).build();
    // Without an Accept list some registries fall back to the long-deprecated schema 1.
    List<String> types = accept.isEmpty() ? MediaType.MANIFEST_TYPES : accept;
    return request(url, repository).header("Accept", String.join(", ", types));
  }

  private Request.Builder blobRequest(RepositoryName repository, Digest digest) {
    HttpUrl url = v2(repository).addPathSegment("blobs").addPathSegment(digest.toString()).build();
    return request(url, repository);
  }

  private HttpUrl.Builder v2(RepositoryName repository) {
    return base.newBuilder().addPathSegment("v2").addPathSegments(repository.value());
  }

  private static Request.Builder request(HttpUrl url, RepositoryName repository) {
    return new Request.Builder()
        .url(url)
        .tag(AuthInterceptor.Scope.class, AuthInterceptor.Scope.pull(repository))
        // Bytes must pass untouched: OkHttp's transparent gzip would drop Content-Length and
        // make Range offsets refer to compressed bytes.
        .header("Accept-Encoding", "identity");
  }

  private Response execute(Request request) {
    return execute(client, request);
  }

  private Response execute(OkHttpClient through, Request request) {
    if (config.offline()) {
      throw new RegistryException(
          ErrorCode.UNAVAILABLE, 503, "upstream " + config.name() + " is offline");
    }
    try {
      return through.newCall(request).execute();
    } catch (IOException e) {
      throw errors.fromIo(e);
    }
  }

  /** The whole body, refusing more than {@link #MAX_MANIFEST_BYTES} without reading them all. */
  private byte[] readCapped(Response response, Supplier<RegistryException> tooLarge) {
    if (contentLength(response) > MAX_MANIFEST_BYTES) {
      throw tooLarge.get();
    }
    try (InputStream body = response.body().byteStream()) {
      byte[] bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
      if (bytes.length > MAX_MANIFEST_BYTES) {
        throw tooLarge.get();
      }
      return bytes;
    } catch (IOException e) {
      throw errors.fromIo(e);
    }
  }

  /**
   * A blob body to stream. Over HTTP/1 the socket's own read timeout, which OkHttp sets to the
   * configured read timeout, already fails a read after that long a silence; Okio's watchdog would
   * enter and leave a shared timeout queue for every 8 KiB read besides, which cost a third of the
   * read rate on loopback. It is switched off for this body only. HTTP/2 streams have no socket
   * timeout of their own and keep the watchdog.
   */
  static InputStream body(Response response) {
    BufferedSource source = response.body().source();
    if (response.protocol() == Protocol.HTTP_1_1 || response.protocol() == Protocol.HTTP_1_0) {
      source.timeout().clearTimeout();
    }
    return source.inputStream();
  }

  /** A 206 must start where we asked, or the caller would append bytes at the wrong offset. */
  private void checkRangeStart(Response response, long offset) {
    Optional<Long> start = ResponseHeaders.rangeStart(response);
    if (response.header("Content-Range") != null && !start.equals(Optional.of(offset))) {
      throw errors.badAnswer(
          "answered Range bytes="
              + offset
              + "- with Content-Range "
              + response.header("Content-Range"));
    }
  }
}
