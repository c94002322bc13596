package io.stevedore.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoredManifest;
import io.stevedore.store.TagEntry;
import io.stevedore.store.TagKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksStoreTest {
  private static final int CHUNK = 4;

  @TempDir Path dir;

  private final byte[] content = "0123456789".getBytes(StandardCharsets.US_ASCII);
  private final Digest digest = Digest.sha256(content);

  @Test
  void committedBlob_isFoundWithItsChunks() {
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content).commit(content.length, Instant.EPOCH);

      assertThat(store.blobs().find(digest)).contains(new BlobInfo(digest, 10));
      byte[] buffer = new byte[CHUNK];
      assertThat(store.blobs().readChunk(digest, 0, buffer)).isEqualTo(4);
      assertThat(new String(buffer, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("0123");
      assertThat(store.blobs().readChunk(digest, 2, buffer)).isEqualTo(2);
      assertThat(new String(buffer, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("89");
    }
  }

  @Test
  void blobBeingWritten_isNotFoundButItsChunksAreReadable() {
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content);

      assertThat(store.blobs().find(digest)).isEmpty();
      assertThat(store.blobs().readChunk(digest, 1, new byte[CHUNK])).isEqualTo(4);
    }
  }

  @Test
  void abortedBlob_leavesNoChunks() {
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content).abort();

      assertThat(store.blobs().find(digest)).isEmpty();
      assertThatThrownBy(() -> store.blobs().readChunk(digest, 0, new byte[CHUNK]))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void reopen_keepsCommittedBlobsAndReclaimsUnfinishedOnes() {
    byte[] other = "abcdefgh".getBytes(StandardCharsets.US_ASCII);
    Digest unfinished = Digest.sha256(other);
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content).commit(content.length, Instant.EPOCH);
      write(store, other); // never committed, as after a kill -9 mid-fill
    }

    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      assertThat(store.blobs().find(digest)).isPresent();
      assertThatThrownBy(() -> store.blobs().readChunk(unfinished, 0, new byte[CHUNK]))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void blobFilesOfCommittedBlobs_surviveReopens() {
    // Chunks at the minimum blob size go to blob files; a reopen must not take them for orphans.
    int chunk = 64 * 1024;
    byte[] big = new byte[chunk * 40];
    new java.util.SplittableRandom(7).nextBytes(big);
    Digest bigDigest = Digest.sha256(big);
    try (RocksStore store = RocksStore.open(dir, chunk)) {
      BlobWriter writer = store.blobs().begin(bigDigest);
      for (int i = 0; i < 40; i++) {
        writer.write(i, Arrays.copyOfRange(big, i * chunk, (i + 1) * chunk), chunk);
      }
      writer.commit(big.length, Instant.EPOCH);
      store.compact(); // flushes: the chunks are in a blob file now
    }
    for (int round = 0; round < 2; round++) {
      try (RocksStore store = RocksStore.open(dir, chunk)) {
        byte[] buffer = new byte[chunk];
        for (int i = 0; i < 40; i++) {
          assertThat(store.blobs().readChunk(bigDigest, i, buffer)).isEqualTo(chunk);
          assertThat(buffer).isEqualTo(Arrays.copyOfRange(big, i * chunk, (i + 1) * chunk));
        }
      }
    }
    assertThat(dir.toFile().list((d, name) -> name.endsWith(".blob"))).isNotEmpty();
  }

  @Test
  void orphanedBlobFile_isDeletedOnOpen() throws Exception {
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content).commit(content.length, Instant.EPOCH);
    }
    // What a flush killed midway leaves: a blob file the MANIFEST never heard of.
    Path orphan = dir.resolve("999999.blob");
    java.nio.file.Files.write(orphan, new byte[4096]);

    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      assertThat(orphan).doesNotExist();
      assertThat(store.blobs().find(digest)).isPresent();
    }
  }

  @Test
  void beginAgain_discardsEarlierPartialChunks() {
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content);
      BlobWriter again = store.blobs().begin(digest);

      assertThatThrownBy(() -> store.blobs().readChunk(digest, 2, new byte[CHUNK]))
          .isInstanceOf(IllegalStateException.class);
      again.abort();
    }
  }

  @Test
  void manifestsAndTags_surviveReopen() {
    byte[] body = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    Digest manifestDigest = Digest.sha256(body);
    TagKey key = new TagKey("hub", "library/alpine", "3.20", "");
    Instant checked = Instant.parse("2026-11-27T10:15:30.123Z");
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      store.manifests().put(new StoredManifest(manifestDigest, MediaType.OCI_MANIFEST, body));
      store.tags().put(key, new TagEntry(manifestDigest, MediaType.OCI_MANIFEST, checked));
    }

    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      StoredManifest manifest = store.manifests().find(manifestDigest).orElseThrow();
      assertThat(manifest.body()).isEqualTo(body);
      assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
      assertThat(store.tags().find(key))
          .contains(new TagEntry(manifestDigest, MediaType.OCI_MANIFEST, checked));
      assertThat(store.tags().find(new TagKey("hub", "library/alpine", "3.21", ""))).isEmpty();
      assertThat(store.tags().find(new TagKey("hub", "library/alpine", "3.20", "x"))).isEmpty();
    }
  }

  private BlobWriter write(RocksStore store, byte[] bytes) {
    BlobWriter writer = store.blobs().begin(Digest.sha256(bytes));
    for (int i = 0; i * CHUNK < bytes.length; i++) {
      byte[] chunk = Arrays.copyOfRange(bytes, i * CHUNK, Math.min(bytes.length, (i + 1) * CHUNK));
      writer.write(i, chunk, chunk.length);
    }
    return writer;
  }
}
