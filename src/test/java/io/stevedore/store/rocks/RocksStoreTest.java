package io.stevedore.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoredBlob;
import io.stevedore.store.StoredManifest;
import io.stevedore.store.TagEntry;
import io.stevedore.store.TagKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
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
  void committedBlobFile_survivesReopens_andReadsTheSameWithAnotherChunkSize() throws Exception {
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content).commit(content.length, Instant.EPOCH);
    }
    Path file = dir.resolve("blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    for (int chunk : new int[] {CHUNK, 3, 1024}) {
      try (RocksStore store = RocksStore.open(dir, chunk)) {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        store.blobs().copyTo(digest, content.length, read);
        assertThat(read.toByteArray()).as("chunk size %d", chunk).isEqualTo(content);
      }
    }
  }

  @Test
  void filesWithoutACommittedRecord_areDeletedOnOpen() throws Exception {
    byte[] other = "abcdefghij".getBytes(StandardCharsets.US_ASCII);
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content).commit(content.length, Instant.EPOCH);
      write(store, other); // never committed: a fill a crash cut off
    }
    Path blobs = dir.resolve("blobs/sha256");
    Path unfinished = blobs.resolve(Digest.sha256(other).hex().substring(0, 2));
    Path stray = blobs.resolve("00/not-a-digest");
    Files.createDirectories(stray.getParent());
    Files.write(stray, new byte[4096]);
    Digest unknown = Digest.sha256(new byte[] {1});
    Path unrecorded = blobs.resolve(unknown.hex().substring(0, 2)).resolve(unknown.hex());
    Files.createDirectories(unrecorded.getParent());
    Files.write(unrecorded, new byte[] {1});

    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      assertThat(stray).doesNotExist();
      assertThat(unrecorded).doesNotExist();
      assertThat(unfinished.resolve(Digest.sha256(other).hex())).doesNotExist();
      assertThat(store.blobs().find(digest)).contains(new BlobInfo(digest, content.length));
      assertThat(store.blobs().list()).extracting(StoredBlob::digest).containsExactly(digest);
    }
  }

  @Test
  void committedRecordWhoseFileIsLostOrCut_isDroppedOnOpen() throws Exception {
    byte[] other = "abcdefghij".getBytes(StandardCharsets.US_ASCII);
    Digest otherDigest = Digest.sha256(other);
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      write(store, content).commit(content.length, Instant.EPOCH);
      write(store, other).commit(other.length, Instant.EPOCH);
    }
    Path blobs = dir.resolve("blobs/sha256");
    Files.delete(blobs.resolve(digest.hex().substring(0, 2)).resolve(digest.hex()));
    Files.write(
        blobs.resolve(otherDigest.hex().substring(0, 2)).resolve(otherDigest.hex()),
        "abc".getBytes(StandardCharsets.US_ASCII));

    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      assertThat(store.blobs().find(digest)).isEmpty();
      assertThat(store.blobs().find(otherDigest)).isEmpty();
      assertThat(store.blobs().list()).isEmpty();
      assertThat(StoreAccess.size(blobs)).isZero();
    }
  }

  @Test
  void storeOfAnOlderVersion_withBlobChunksInRocksDb_opens_keepsManifests_dropsItsBlobs()
      throws Exception {
    byte[] body = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    Digest manifestDigest = Digest.sha256(body);
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      store.manifests().put(new StoredManifest(manifestDigest, MediaType.OCI_MANIFEST, body));
      write(store, content).commit(content.length, Instant.EPOCH);
    }
    // What an older version left: the chunks family, and no blob files.
    StoreAccess.addChunksFamily(dir);
    deleteTree(dir.resolve("blobs"));

    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      assertThat(store.manifests().find(manifestDigest)).isPresent();
      assertThat(store.blobs().find(digest)).isEmpty();
    }
    try (RocksStore store = RocksStore.open(dir, CHUNK)) {
      assertThat(store.manifests().find(manifestDigest)).isPresent(); // the family stays dropped
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
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
