package io.stevedore.testing;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.BlobStream;
import io.stevedore.upstream.FetchedManifest;
import io.stevedore.upstream.ManifestHead;
import io.stevedore.upstream.RateLimit;
import io.stevedore.upstream.Referrers;
import io.stevedore.upstream.TagList;
import io.stevedore.upstream.Upstream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory upstream that records every call, for cache tests that count upstream requests. Blob
 * bodies can be made to break off after some bytes, and manifests by tag can be changed.
 */
public class FakeUpstream implements Upstream {
  private final UpstreamConfig config;
  private final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, byte[]> manifestsByTag = new ConcurrentHashMap<>();
  private final Map<Digest, byte[]> manifestsByDigest = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private volatile long breakAfter = -1;
  private volatile RegistryException failure;
  private final java.util.concurrent.atomic.AtomicInteger refusedResumes =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile RegistryException resumeRefusal;
  private volatile java.util.concurrent.CountDownLatch gate;
  private volatile boolean sizeless;
  private volatile String onlyRepository;
  private volatile Runnable onRead = () -> {};

  public FakeUpstream(String name) {
    this.config = UpstreamConfig.of(name, URI.create("http://127.0.0.1:9"));
  }

  public FakeUpstream(UpstreamConfig config) {
    this.config = config;
  }

  public Digest addBlob(byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put(digest, content);
    return digest;
  }

  /** Serves {@code content} under {@code digest}, whatever its real digest is. */
  public void addCorruptBlob(Digest digest, byte[] content) {
    blobs.put(digest, content);
  }

  public Digest tag(String tag, byte[] manifest) {
    Digest digest = Digest.sha256(manifest);
    manifestsByTag.put(tag, manifest);
    manifestsByDigest.put(digest, manifest);
    return digest;
  }

  /** The first blob body (only) breaks off after {@code bytes} bytes. */
  public void breakFirstBodyAfter(long bytes) {
    breakAfter = bytes;
  }

  /** Blob bodies send nothing until {@code release} opens. */
  public void holdBodiesUntil(java.util.concurrent.CountDownLatch release) {
    gate = release;
  }

  /** Answers blob GETs without a length and blob HEADs with 404, like a chunked-only server. */
  public void hideSizes() {
    sizeless = true;
  }

  /** All content exists only in {@code repository}; other repositories get 404s. */
  public void onlyIn(String repository) {
    onlyRepository = repository;
  }

  private boolean visibleIn(RepositoryName repository) {
    String only = onlyRepository;
    return only == null || only.equals(repository.value());
  }

  /** Runs {@code action} before each read of a blob body (a test moves its clock there). */
  public void onEachBodyRead(Runnable action) {
    onRead = action;
  }

  /** Every call fails with {@code error} (null: works again). */
  /** The next {@code times} blob GETs from an offset past 0 (resumes) fail with {@code error}. */
  public void refuseResumes(int times, RegistryException error) {
    resumeRefusal = error;
    refusedResumes.set(times);
  }

  public void failWith(RegistryException error) {
    failure = error;
  }

  public List<String> calls() {
    return List.copyOf(calls);
  }

  public long count(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).count();
  }

  @Override
  public UpstreamConfig config() {
    return config;
  }

  @Override
  public FetchedManifest fetchManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    record("GET manifest " + reference);
    byte[] body = manifest(repository, reference);
    return new FetchedManifest(
        body, "application/vnd.oci.image.manifest.v1+json", Optional.of(Digest.sha256(body)));
  }

  @Override
  public Optional<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    record("HEAD manifest " + reference);
    byte[] body;
    try {
      body = manifest(repository, reference);
    } catch (RegistryException notFound) {
      return Optional.empty();
    }
    return Optional.of(
        new ManifestHead(
            Digest.sha256(body), "application/vnd.oci.image.manifest.v1+json", body.length));
  }

  @Override
  public BlobStream fetchBlob(RepositoryName repository, Digest digest, long offset) {
    record("GET blob " + digest + " from " + offset);
    if (offset > 0 && refusedResumes.getAndUpdate(left -> Math.max(left - 1, 0)) > 0) {
      throw resumeRefusal;
    }
    byte[] content = blob(repository, digest);
    InputStream body = new ByteArrayInputStream(content, (int) offset, content.length);
    long cut = breakAfter;
    if (cut >= 0) {
      breakAfter = -1;
      body = new BreakingStream(body, cut - offset);
    }
    Runnable action = onRead;
    body =
        new java.io.FilterInputStream(body) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            action.run();
            return super.read(b, off, Math.min(len, 64 * 1024));
          }
        };
    java.util.concurrent.CountDownLatch release = gate;
    if (release != null) {
      body = new GatedStream(body, release);
    }
    return new BlobStream(body, offset, sizeless ? -1 : content.length - offset);
  }

  @Override
  public Optional<Long> headBlob(RepositoryName repository, Digest digest) {
    record("HEAD blob " + digest);
    byte[] content = visibleIn(repository) ? blobs.get(digest) : null;
    return sizeless || content == null ? Optional.empty() : Optional.of((long) content.length);
  }

  @Override
  public TagList listTags(RepositoryName repository, Integer n, String last) {
    record("GET tags");
    return new TagList(
        "{\"tags\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Optional.empty(),
        Optional.empty());
  }

  /** A registry without the referrers API: callers fall back to the tag schema. */
  @Override
  public Optional<Referrers> fetchReferrers(
      RepositoryName repository, Digest subject, String artifactType) {
    record("GET referrers " + subject);
    return Optional.empty();
  }

  @Override
  public Optional<RateLimit> rateLimit() {
    return Optional.empty();
  }

  @Override
  public boolean ping() {
    calls.add("ping");
    return failure == null;
  }

  private void record(String call) {
    calls.add(call);
    RegistryException error = failure;
    if (error != null) {
      throw error;
    }
  }

  private byte[] blob(RepositoryName repository, Digest digest) {
    byte[] content = visibleIn(repository) ? blobs.get(digest) : null;
    if (content == null) {
      throw RegistryException.blobUnknown(digest);
    }
    return content;
  }

  private byte[] manifest(RepositoryName repository, Reference reference) {
    if (!visibleIn(repository)) {
      throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "no manifest " + reference);
    }
    byte[] body =
        switch (reference) {
          case Reference.Tag tag -> manifestsByTag.get(tag.name());
          case Reference.ByDigest byDigest -> manifestsByDigest.get(byDigest.digest());
        };
    if (body == null) {
      throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "no manifest " + reference);
    }
    return body;
  }

  /** Sends nothing until a latch opens, like a slow upstream. */
  private static final class GatedStream extends java.io.FilterInputStream {
    private final java.util.concurrent.CountDownLatch release;

    GatedStream(InputStream in, java.util.concurrent.CountDownLatch release) {
      super(in);
      this.release = release;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
      return super.read(b, off, len);
    }
  }

  /** Ends with an IOException after a number of bytes, like a connection reset. */
  private static final class BreakingStream extends InputStream {
    private final InputStream in;
    private long left;

    BreakingStream(InputStream in, long left) {
      this.in = in;
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        throw new IOException("connection reset (test)");
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
