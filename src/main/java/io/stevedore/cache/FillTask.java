package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.BlobStore;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoreException;
import io.stevedore.upstream.BlobStream;
import io.stevedore.upstream.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fetches one blob from upstream into the store, chunk by chunk, hashing what it stores. Resumes a
 * broken connection with a Range request from the last stored chunk; commits only when size and
 * digest match. On failure the caller tells the waiters, then {@link #discard()}s the chunks.
 */
final class FillTask {
  private static final Logger LOG = Logger.getLogger(FillTask.class.getName());

  /** The longest Retry-After a fill waits out in the middle of a blob. */
  static final Duration LONGEST_RATE_LIMIT_PAUSE = Duration.ofSeconds(30);

  private final Fill fill;
  private final BlobStore store;
  private final ChunkBuffers buffers;
  private final Upstream upstream;
  private final RepositoryName repository;
  private final Digest digest;
  private final FillPolicy policy;
  private final Clock clock;
  private final BlobListener events;
  private final Instant deadline;
  // Touched only by the thread that runs this task, but size is also read where the store
  // stage reports progress, on its own thread.
  private BlobWriter writer;
  private volatile long size = -1;
  private long stored;

  FillTask(Fill fill, FillContext context) {
    this.fill = fill;
    this.store = context.store();
    this.buffers = context.buffers();
    this.upstream = fill.upstream();
    this.repository = fill.repository();
    this.digest = fill.digest();
    this.policy = context.policy();
    this.clock = context.clock();
    this.events = context.events();
    this.deadline = clock.instant().plus(policy.timeout());
  }

  /**
   * Fetches, verifies and commits the blob.
   *
   * @return its size
   * @throws RuntimeException what the fill's waiters should see; a store that cannot take the blob
   *     shows as 503 UNAVAILABLE
   */
  long fetchAndCommit() {
    try {
      writer = store.begin(digest);
      long verified = fetch(writer);
      writer.commit(verified, clock.instant());
      return verified;
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  /** Deletes what a failed fill stored. */
  void discard() {
    if (writer == null) {
      return;
    }
    try {
      writer.abort();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot discard the chunks of " + digest, e);
    }
  }

  /** Streams the blob into the store; returns its verified size. */
  private long fetch(BlobWriter writer) {
    MessageDigest hasher = digest.algorithm().newHasher();
    try (StoreStage stage =
        new StoreStage(writer, hasher, buffers, fill.window(), this::advanced)) {
      return fetch(stage, hasher);
    }
  }

  private void advanced(long storedBytes) {
    fill.advanced(storedBytes);
    events.progressed(digest, storedBytes, size);
  }

  private long fetch(StoreStage stage, MessageDigest hasher) {
    int resumes = 0;
    while (true) {
      try (BlobStream stream = open()) {
        if (size < 0) {
          size = sizeOf(stream);
          if (size >= 0) {
            fill.sized(size);
          }
        }
        skip(stream.body(), stored - stream.offset());
        copy(stream.body(), stage);
        if (size < 0) {
          // An upstream that never told the size: its end of body is the end of the blob, and
          // the digest decides whether that was all of it.
          size = stored;
        }
        if (stored == size) {
          stage.drain();
          verify(hasher);
          return size;
        }
        // A clean end before the size the upstream announced: a connection cut short.
      } catch (IOException | Interrupted e) {
        Duration asked = rateLimitPause(e);
        if (asked != null) {
          // The upstream is up and asked for a pause: waiting it out is no resume. The soak saw
          // a fill spend its resumes on four short Retry-After windows in a row, and give up.
          logAtByte("waits " + asked, ", as a 429 asked");
          sleep(asked);
          continue;
        }
        logAtByte("broke", ", resuming: " + e);
      }
      resumes++;
      if (resumes > policy.maxResumes()) {
        throw unavailable(
            502,
            "upstream "
                + upstream.config().name()
                + " kept breaking off blob "
                + digest
                + "; gave up after "
                + policy.maxResumes()
                + " resumes");
      }
      pause(resumes);
      events.resumed(digest, stored);
    }
  }

  /** Logs "fetch of D from U {@code what} at byte N{@code why}". */
  private void logAtByte(String what, String why) {
    long at = stored;
    LOG.info(
        () ->
            "fetch of "
                + digest
                + " from "
                + upstream.config().name()
                + " "
                + what
                + " at byte "
                + at
                + why);
  }

  /**
   * Asks the upstream for the blob from the stored offset on. Temporary upstream trouble after the
   * first answer counts as a broken connection (resumed); before it, the caller sees it.
   */
  private BlobStream open() throws Interrupted {
    try {
      return upstream.fetchBlob(repository, digest, stored);
    } catch (RegistryException e) {
      if (e.temporary() && size >= 0) {
        throw new Interrupted(e);
      }
      throw e;
    }
  }

  /**
   * Copies the body into whole chunks. A partly filled chunk at a broken connection is dropped: the
   * resume starts again at the chunk boundary after {@link #stored}.
   */
  private void copy(InputStream body, StoreStage stage) throws IOException {
    boolean sized = size >= 0;
    byte[] chunk = stage.buffer();
    try {
      int filled = 0;
      int read;
      while ((read = body.read(chunk, filled, chunk.length - filled)) >= 0) {
        filled += read;
        if (sized && stored + filled > size) {
          throw mismatch("more than the " + size + " bytes it announced");
        }
        if (filled == chunk.length || (sized && stored + filled == size)) {
          store(stage, chunk, filled);
          chunk = null; // handed over: if buffer() throws, the finally must not release it again
          chunk = stage.buffer();
          filled = 0;
        }
      }
      if (!sized && filled > 0) {
        store(stage, chunk, filled);
        chunk = null;
      }
    } finally {
      if (chunk != null) {
        stage.release(chunk); // not handed over: a part chunk, or none read into yet
      }
    }
  }

  /**
   * Hands a chunk to the store stage, which hashes and stores it; {@link #stored} counts it from
   * now on, as the stage either stores it or fails the fill.
   */
  private void store(StoreStage stage, byte[] chunk, int length) {
    if (clock.instant().isAfter(deadline)) {
      throw unavailable(
          504,
          "fill of blob "
              + digest
              + " from upstream "
              + upstream.config().name()
              + " took longer than "
              + policy.timeout()
              + "; nothing was stored");
    }
    long index = stored / chunk.length;
    stored += length;
    // The last chunk is announced only by completion, after verification; a blob of unknown
    // size has no waiter reading yet (they wait for its size), so announcing is harmless.
    stage.write(index, chunk, length, stored, stored < size || size < 0);
  }

  /** The blob's size from the answer, else from a HEAD; -1 when the upstream will not say. */
  private long sizeOf(BlobStream stream) {
    if (stream.length() >= 0) {
      return stream.offset() + stream.length();
    }
    try {
      return upstream.headBlob(repository, digest).orElse(-1L);
    } catch (RegistryException e) {
      return -1;
    }
  }

  private void verify(MessageDigest hasher) {
    Digest actual = Digest.of(digest.algorithm(), hasher.digest());
    if (!actual.equals(digest)) {
      throw mismatch("digest " + actual);
    }
  }

  private RegistryException mismatch(String what) {
    events.mismatched(digest);
    return unavailable(
        502,
        "upstream "
            + upstream.config().name()
            + " sent blob "
            + digest
            + " with "
            + what
            + "; nothing was stored");
  }

  /** Skips what is stored already when the upstream ignored the Range and sent it again. */
  private void skip(InputStream body, long count) throws IOException {
    if (count < 0) {
      throw mismatch("a range that starts past the requested offset");
    }
    body.skipNBytes(count);
  }

  /**
   * How long to wait when {@code failure} is a 429 with a Retry-After the fill can wait out: at
   * most {@link #LONGEST_RATE_LIMIT_PAUSE}, and within the fill's deadline. Null otherwise: a
   * longer pause would outlast the clients, so it counts as a resume, and the fill ends with the
   * 429 once resumes run out.
   */
  private Duration rateLimitPause(Exception failure) {
    if (!(failure.getCause() instanceof RegistryException refusal) || refusal.status() != 429) {
      return null;
    }
    return refusal
        .retryAfter()
        .filter(wait -> wait.compareTo(LONGEST_RATE_LIMIT_PAUSE) <= 0)
        .filter(wait -> clock.instant().plus(wait).isBefore(deadline))
        .orElse(null);
  }

  private void pause(int resume) {
    sleep(policy.backoffBefore(resume));
  }

  private void sleep(Duration wait) {
    try {
      Thread.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(503, "fill interrupted");
    }
  }

  /** A store that cannot take the blob (a full disk): the client may retry later. */
  private RegistryException unavailable(StoreException e) {
    return new RegistryException(
        ErrorCode.UNAVAILABLE,
        503,
        "the cache cannot store blob " + digest + " now: " + e.getMessage(),
        null,
        e);
  }

  /** The fill could not get the blob: the client may try again later. */
  private static RegistryException unavailable(int status, String message) {
    return new RegistryException(ErrorCode.UNAVAILABLE, status, message);
  }

  /** Temporary upstream trouble in the middle of a blob, treated like a broken connection. */
  private static final class Interrupted extends Exception {
    Interrupted(RegistryException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
