package io.stevedore.upstream;

import static io.stevedore.upstream.ResponseHeaders.claimedDigest;
import static io.stevedore.upstream.ResponseHeaders.contentLength;
import static io.stevedore.upstream.ResponseHeaders.mediaType;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Asks the owner of a digest for it, as an internal hop for one upstream. An owner that does not
 * answer (headers) within the peer timeout is given up on; once it answered, its body may be as
 * slow as the upstream's could be (the owner may be filling it from there).
 */
final class PeerClient {
  private final OkHttpClient client;
  private final String upstream;
  private final PeerHop hop;
  private final Duration firstByte;
  private final ScheduledExecutorService timer;

  /**
   * @param base the cluster's client, whose connection pool every upstream's hops share
   * @param upstream the name the owner knows the upstream by
   * @param readTimeout the longest silence inside a body: the upstream's own read timeout
   * @param timer gives up on owners slower than {@code firstByte}
   */
  PeerClient(
      OkHttpClient base,
      String upstream,
      PeerHop hop,
      Duration firstByte,
      Duration readTimeout,
      ScheduledExecutorService timer) {
    this.client = base.newBuilder().connectTimeout(firstByte).readTimeout(readTimeout).build();
    this.upstream = upstream;
    this.hop = hop;
    this.firstByte = firstByte;
    this.timer = timer;
  }

  /**
   * GET the blob from {@code offset} on, as {@link Upstream#fetchBlob} does.
   *
   * @throws RegistryException BLOB_UNKNOWN when the owner says its upstream lacks it
   */
  BlobStream fetchBlob(URI peer, RepositoryName repository, Digest digest, long offset)
      throws PeerFailure {
    Request.Builder request = request(peer, "/v2/" + repository.value() + "/blobs/" + digest);
    if (offset > 0) {
      request.header("Range", "bytes=" + offset + "-");
    }
    Response response = execute(peer, request.build());
    try {
      if (response.code() == 206
          && ResponseHeaders.rangeStart(response).equals(Optional.of(offset))) {
        return new BlobStream(OkHttpUpstream.body(response), offset, contentLength(response));
      }
      if (response.code() == 200) {
        return new BlobStream(OkHttpUpstream.body(response), 0, contentLength(response));
      }
      throw failure(peer, response, ErrorCode.BLOB_UNKNOWN);
    } catch (PeerFailure | RuntimeException e) {
      response.close();
      throw e;
    }
  }

  /**
   * GET a manifest by digest, as {@link Upstream#fetchManifest} does.
   *
   * @throws RegistryException MANIFEST_UNKNOWN when the owner says its upstream lacks it
   */
  FetchedManifest fetchManifest(
      URI peer, RepositoryName repository, Digest digest, List<String> accept) throws PeerFailure {
    Request.Builder request = request(peer, "/v2/" + repository.value() + "/manifests/" + digest);
    if (!accept.isEmpty()) {
      request.header("Accept", String.join(", ", accept));
    }
    try (Response response = execute(peer, request.build())) {
      if (!response.isSuccessful()) {
        throw failure(peer, response, ErrorCode.MANIFEST_UNKNOWN);
      }
      if (contentLength(response) > Upstream.MAX_MANIFEST_BYTES) {
        throw new PeerFailure(peer, "error", "sent a manifest over the size limit");
      }
      try (InputStream body = response.body().byteStream()) {
        byte[] bytes = body.readNBytes(Upstream.MAX_MANIFEST_BYTES + 1);
        if (bytes.length > Upstream.MAX_MANIFEST_BYTES) {
          throw new PeerFailure(peer, "error", "sent a manifest over the size limit");
        }
        return new FetchedManifest(bytes, mediaType(response), claimedDigest(response));
      } catch (IOException e) {
        throw new PeerFailure(peer, "error", "broke off a manifest: " + e);
      }
    }
  }

  private Request.Builder request(URI peer, String path) {
    return new Request.Builder()
        .url(peer + path)
        .header(PeerHop.UPSTREAM_HEADER, upstream)
        .header(PeerHop.PROOF_HEADER, hop.proof(upstream, path))
        // Bytes pass untouched, as from the upstream itself.
        .header("Accept-Encoding", "identity")
        .get();
  }

  /** The owner's answer, if it came within the peer timeout. */
  private Response execute(URI peer, Request request) throws PeerFailure {
    Call call = client.newCall(request);
    ScheduledFuture<?> deadline =
        timer.schedule(call::cancel, firstByte.toMillis(), TimeUnit.MILLISECONDS);
    Response response;
    try {
      response = call.execute();
    } catch (IOException e) {
      deadline.cancel(false);
      if (call.isCanceled() || e instanceof InterruptedIOException) {
        throw new PeerFailure(peer, "timeout", "did not answer within " + firstByte);
      }
      throw new PeerFailure(peer, "unreachable", "cannot be reached: " + e);
    }
    if (!deadline.cancel(false)) {
      // The deadline fired as the answer came: the call is cancelled, its body unreadable.
      response.close();
      throw new PeerFailure(peer, "timeout", "did not answer within " + firstByte);
    }
    return response;
  }

  /**
   * An unsuccessful answer. The owner's 404 with the upstream's not-found code is the upstream's
   * answer; anything else (a refusal, an owner that lacks the upstream, trouble) is the owner's.
   */
  private PeerFailure failure(URI peer, Response response, ErrorCode notFound) {
    int status = response.code();
    if (status == 404) {
      Optional<ErrorCode> code =
          UpstreamErrorBody.code(UpstreamErrorBody.read(response.body().byteStream()));
      if (code.equals(Optional.of(notFound))) {
        throw new RegistryException(
            notFound,
            404,
            "upstream " + upstream + " answered " + notFound + " to its owner peer " + peer);
      }
    }
    String reason = status == 401 || status == 403 ? "refused" : "error";
    return new PeerFailure(peer, reason, "answered " + status);
  }
}
