package io.stevedore.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.cache.BlobCache;
import io.stevedore.cache.BlobContent;
import io.stevedore.cache.CacheResult;
import io.stevedore.cache.ManifestCache;
import io.stevedore.cache.ReferrersCache;
import io.stevedore.cache.ServedManifest;
import io.stevedore.cache.ServedReferrers;
import io.stevedore.oci.AcceptList;
import io.stevedore.oci.ByteRange;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.upstream.ClusterListener;
import io.stevedore.upstream.TagList;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The pull side of the OCI distribution API: version check, manifests, blobs (with ranges) and tag
 * lists. Everything else under {@code /v2/} is answered with an OCI error.
 */
public final class RegistryService implements HttpService {
  static final HeaderName API_VERSION = HeaderNames.create("Docker-Distribution-API-Version");
  static final HeaderName CONTENT_DIGEST = HeaderNames.create("Docker-Content-Digest");
  static final HeaderName STALE = HeaderNames.create("X-Stevedore-Stale");
  static final HeaderName LINK = HeaderNames.create("Link");
  static final HeaderName FILTERS_APPLIED = HeaderNames.create("OCI-Filters-Applied");

  private final UpstreamRouter router;
  private final ManifestCache manifests;
  private final BlobCache blobs;
  private final ReferrersCache referrers;
  private final ClusterListener cluster;

  /**
   * @param cluster hears of the internal hops this node serves as the owner of a digest
   */
  public RegistryService(
      UpstreamRouter router,
      ManifestCache manifests,
      BlobCache blobs,
      ReferrersCache referrers,
      ClusterListener cluster) {
    this.router = router;
    this.cluster = cluster;
    this.manifests = manifests;
    this.blobs = blobs;
    this.referrers = referrers;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.any(this::handle);
  }

  private void handle(ServerRequest request, ServerResponse response) throws IOException {
    response.header(API_VERSION, "registry/2.0");
    Method method = request.prologue().method();
    ApiPath path = ApiPath.parse(request.path().rawPath());
    boolean read = method == Method.GET || method == Method.HEAD;
    if (path instanceof ApiPath.Unsupported unsupported) {
      throw unsupported(unsupported.what() + " is not offered by this pull-through mirror");
    }
    if (!read) {
      throw unsupported(method.text() + " is not supported: this mirror is read-only");
    }
    RequestNotes.current().route(kind(path));
    switch (path) {
      case ApiPath.Base base -> {
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send("{}".getBytes(StandardCharsets.UTF_8));
      }
      case ApiPath.Manifest manifest -> manifest(request, response, manifest, method);
      case ApiPath.Blob blob -> blob(request, response, blob, method);
      case ApiPath.Tags tags -> tags(request, response, tags);
      case ApiPath.Referrers referrers -> referrers(request, response, referrers);
      case ApiPath.Unsupported unsupported -> throw new IllegalStateException("handled above");
    }
  }

  private void manifest(
      ServerRequest request, ServerResponse response, ApiPath.Manifest path, Method method) {
    Reference reference = Reference.parse(path.reference());
    UpstreamRouter.Route route = route(request, path.name());
    AcceptList accept = AcceptList.parse(request.headers().values(HeaderNames.ACCEPT));
    ServedManifest manifest =
        manifests.get(route.upstream(), route.repository(), reference, accept.manifestTypes());
    answered(manifest.result());
    response.header(HeaderNames.CONTENT_TYPE, manifest.mediaType());
    response.header(CONTENT_DIGEST, manifest.digest().toString());
    if (manifest.stale()) {
      response.header(STALE, "true");
    }
    if (method == Method.HEAD) {
      response.contentLength(manifest.body().length);
      response.send();
    } else {
      response.send(manifest.body());
    }
  }

  private void blob(
      ServerRequest request, ServerResponse response, ApiPath.Blob path, Method method)
      throws IOException {
    Digest digest = Digest.parse(path.digest());
    UpstreamRouter.Route route = route(request, path.name());
    Optional<ByteRange> range =
        ByteRange.parse(request.headers().first(HeaderNames.RANGE).orElse(null));
    if (method == Method.HEAD) {
      long size =
          blobs
              .size(route.upstream(), route.repository(), digest)
              .orElseThrow(() -> RegistryException.blobUnknown(digest));
      blobHeaders(response, digest);
      response.contentLength(size);
      response.send();
      return;
    }
    try (BlobContent content = blobs.open(route.upstream(), route.repository(), digest)) {
      answered(content.result());
      long size = content.size();
      long first = 0;
      long last = size - 1;
      if (range.isPresent()) {
        ByteRange.Slice slice = resolve(range.get(), size, response);
        first = slice.first();
        last = slice.last();
        response.status(Status.PARTIAL_CONTENT_206);
        response.header(HeaderNames.CONTENT_RANGE, slice.contentRange(size));
      }
      blobHeaders(response, digest);
      response.contentLength(last - first + 1);
      if (size == 0) {
        response.send();
        return;
      }
      try (OutputStream out = response.outputStream()) {
        content.writeTo(out, first, last);
      }
    }
  }

  /**
   * The cache answered with {@code result}: noted for the access log and metrics, and told to the
   * cluster's listener when a peer asked this node as the owner (before the body, so it has heard
   * by the time the peer has the bytes).
   */
  private void answered(CacheResult result) {
    RequestNotes notes = RequestNotes.current();
    notes.cache(result);
    if (notes.peerUpstream().isPresent()) {
      cluster.servedAsOwner(notes.route(), result.label());
    }
  }

  private static ByteRange.Slice resolve(ByteRange range, long size, ServerResponse response) {
    try {
      return range.resolve(size);
    } catch (RegistryException e) {
      // RFC 9110: a 416 tells the client the current length of the representation.
      response.header(HeaderNames.CONTENT_RANGE, ByteRange.unsatisfiedContentRange(size));
      throw e;
    }
  }

  private static void blobHeaders(ServerResponse response, Digest digest) {
    response.header(HeaderNames.CONTENT_TYPE, MediaType.OCTET_STREAM);
    response.header(CONTENT_DIGEST, digest.toString());
    response.header(HeaderNames.ACCEPT_RANGES, "bytes");
  }

  private void referrers(ServerRequest request, ServerResponse response, ApiPath.Referrers path) {
    Digest subject = Digest.parse(path.digest());
    UpstreamRouter.Route route = route(request, path.name());
    String artifactType =
        request.query().contains("artifactType") ? request.query().get("artifactType") : null;
    ServedReferrers served =
        referrers.get(route.upstream(), route.repository(), subject, artifactType);
    response.header(HeaderNames.CONTENT_TYPE, MediaType.OCI_INDEX);
    if (served.filtered()) {
      response.header(FILTERS_APPLIED, "artifactType");
    }
    if (served.stale()) {
      response.header(STALE, "true");
    }
    response.send(served.body());
  }

  private void tags(ServerRequest request, ServerResponse response, ApiPath.Tags path) {
    UpstreamRouter.Route route = route(request, path.name());
    Integer n = request.query().contains("n") ? pageSize(request.query().get("n")) : null;
    String last = request.query().contains("last") ? request.query().get("last") : null;
    TagList tags = route.upstream().listTags(route.repository(), n, last);
    tags.nextLast()
        .ifPresent(next -> response.header(LINK, nextPage(request, path.name(), tags, next)));
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.send(tags.body());
  }

  /**
   * The client's own next-page link: the upstream's names its own path, which can differ from the
   * client's (Docker Hub's {@code library/} prefix, a routing prefix) and lacks {@code ns}.
   */
  private static String nextPage(ServerRequest request, String name, TagList tags, String last) {
    StringBuilder link = new StringBuilder("</v2/").append(name).append("/tags/list?");
    tags.nextN().ifPresent(n -> link.append("n=").append(n).append('&'));
    link.append("last=").append(URLEncoder.encode(last, StandardCharsets.UTF_8));
    if (request.query().contains("ns")) {
      link.append("&ns=")
          .append(URLEncoder.encode(request.query().get("ns"), StandardCharsets.UTF_8));
    }
    return link.append(">; rel=\"next\"").toString();
  }

  private UpstreamRouter.Route route(ServerRequest request, String name) {
    return route(router, request, name);
  }

  /**
   * Where the request goes by its {@code ns}, path and Host; the {@link ClientGate} asks too. An
   * internal hop names its upstream and is served from it directly, never from another owner.
   */
  static UpstreamRouter.Route route(UpstreamRouter router, ServerRequest request, String name) {
    Optional<String> hop = RequestNotes.current().peerUpstream();
    Optional<String> ns =
        request.query().contains("ns") ? Optional.of(request.query().get("ns")) : Optional.empty();
    UpstreamRouter.Route route =
        hop.isPresent()
            ? router.direct(hop.get(), name)
            : router.route(ns, request.headers().first(HeaderNames.HOST), name);
    RequestNotes.current().upstream(route.upstream().config().name());
    return route;
  }

  /** The kind of request, for the access log and as a metric label. */
  private static String kind(ApiPath path) {
    return switch (path) {
      case ApiPath.Base base -> "base";
      case ApiPath.Manifest manifest -> "manifest";
      case ApiPath.Blob blob -> "blob";
      case ApiPath.Tags tags -> "tags";
      case ApiPath.Referrers referrers -> "referrers";
      case ApiPath.Unsupported unsupported -> "unsupported";
    };
  }

  private static int pageSize(String text) {
    try {
      int n = Integer.parseInt(text);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RegistryException(
          ErrorCode.UNSUPPORTED, 400, "n must be a non-negative number, got " + text);
    }
  }

  private static RegistryException unsupported(String message) {
    return new RegistryException(ErrorCode.UNSUPPORTED, 405, message);
  }
}
