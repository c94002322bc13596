package io.stevedore.ops;

import io.stevedore.cache.CacheContents;
import io.stevedore.cache.CachedBlob;
import io.stevedore.cache.CachedManifest;
import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Re-hashes everything stored and removes what no longer matches its digest (bit rot, a bad disk, a
 * hand edit): the next pull fetches it again. Content was verified when stored; this catches what
 * happened to it since.
 */
public final class Verifier {
  private static final int PROGRESS_EVERY = 100;

  private final CacheContents contents;

  Verifier(CacheContents contents) {
    this.contents = contents;
  }

  /** What one verification found. */
  public record Report(
      int blobs,
      long bytes,
      List<Digest> removedBlobs,
      int manifests,
      List<Digest> removedManifests) {}

  public Report verify(Consumer<String> progress) {
    List<CachedBlob> blobs = contents.blobs();
    List<Digest> badBlobs = new ArrayList<>();
    long bytes = 0;
    int done = 0;
    for (CachedBlob blob : blobs) {
      if (!intact(blob)) {
        contents.remove(blob.digest());
        badBlobs.add(blob.digest());
        progress.accept("removed corrupted blob " + blob.digest());
      }
      bytes += blob.size();
      done++;
      if (done % PROGRESS_EVERY == 0 || done == blobs.size()) {
        progress.accept("verified " + done + "/" + blobs.size() + " blobs, " + bytes + " bytes");
      }
    }
    List<CachedManifest> bad = new ArrayList<>();
    int[] count = {0};
    contents.forEachManifest(
        manifest -> {
          count[0]++;
          if (!manifest.digest().recompute(manifest.body()).equals(manifest.digest())) {
            bad.add(manifest);
          }
        });
    List<Digest> badManifests = new ArrayList<>();
    for (CachedManifest manifest : bad) {
      contents.removeManifest(manifest.digest());
      badManifests.add(manifest.digest());
      progress.accept("removed corrupted manifest " + manifest.digest());
    }
    progress.accept(
        "verified "
            + blobs.size()
            + " blobs ("
            + bytes
            + " bytes) and "
            + count[0]
            + " manifests; removed "
            + badBlobs.size()
            + " blobs and "
            + badManifests.size()
            + " manifests");
    return new Report(blobs.size(), bytes, badBlobs, count[0], badManifests);
  }

  private boolean intact(CachedBlob blob) {
    MessageDigest hasher = blob.digest().algorithm().newHasher();
    try (OutputStream hashing = new DigestOutputStream(OutputStream.nullOutputStream(), hasher)) {
      contents.copyBlob(blob.digest(), blob.size(), hashing);
    } catch (IllegalStateException | IOException missingChunk) {
      return false;
    }
    return Digest.of(blob.digest().algorithm(), hasher.digest()).equals(blob.digest());
  }
}
