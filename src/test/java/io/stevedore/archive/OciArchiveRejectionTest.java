package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OciArchiveRejectionTest {
  private static final String LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";
  private static final TestBlob LAYER = TestBlob.of("application/octet-stream", "layer bytes");
  private static final TestBlob MANIFEST = TestBlob.of(MediaType.OCI_MANIFEST, "{\"m\":1}");

  @Test
  void changedByteInABlob_streamAndReadNameTheDigest() throws IOException {
    byte[] archive = validArchive();
    int at = indexOf(archive, LAYER.bytes());
    archive[at + 3] ^= 1;
    List<Throwable> seenBySink = new ArrayList<>();

    assertThatThrownBy(
            () ->
                read(
                    archive,
                    (digest, size, content) -> {
                      try {
                        content.readAllBytes();
                      } catch (BlobDigestMismatchException e) {
                        // A careless sink swallows it; read() must still fail.
                        seenBySink.add(e);
                      }
                    }))
        .isInstanceOfSatisfying(
            BlobDigestMismatchException.class,
            e -> {
              assertThat(e.expected()).isEqualTo(LAYER.digest());
              assertThat(e).hasMessageContaining(LAYER.digest().toString());
            });
    assertThat(seenBySink).singleElement().isInstanceOf(BlobDigestMismatchException.class);
  }

  @Test
  void changedByteInABlob_lastBytesAreNeverHandedOut() throws IOException {
    byte[] archive = validArchive();
    archive[indexOf(archive, LAYER.bytes())] ^= 1;
    ByteArrayOutputStream delivered = new ByteArrayOutputStream();

    assertThatThrownBy(
            () ->
                read(
                    archive,
                    (digest, size, content) -> {
                      if (digest.equals(LAYER.digest())) {
                        content.transferTo(delivered);
                      }
                    }))
        .isInstanceOf(BlobDigestMismatchException.class);
    assertThat(delivered.size()).isLessThan(LAYER.bytes().length);
  }

  @Test
  void changedByteInAnUnreadBlob_isFoundWhenDrained() throws IOException {
    byte[] archive = validArchive();
    archive[indexOf(archive, LAYER.bytes())] ^= 1;

    assertThatThrownBy(() -> read(archive, (digest, size, content) -> {}))
        .isInstanceOfSatisfying(
            BlobDigestMismatchException.class,
            e -> assertThat(e.expected()).isEqualTo(LAYER.digest()));
  }

  @Test
  void truncatedArchive_isRejected() throws IOException {
    byte[] archive = validArchive();
    for (int length : List.of(archive.length - 1024, archive.length - 1500, 700, 100)) {
      byte[] truncated = Arrays.copyOf(archive, length);

      assertThatThrownBy(() -> read(truncated, (digest, size, content) -> content.readAllBytes()))
          .as("cut at %d of %d", length, archive.length)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void archiveWithoutEndMarker_isRejectedAsTruncated() {
    byte[] archive =
        new RawTar()
            .file("oci-layout", LAYOUT)
            .file(blobPath(MANIFEST), MANIFEST.bytes())
            .file("index.json", RawTar.index(MANIFEST.descriptor(), "app"))
            .unterminated();

    assertRejected(archive, "truncated");
  }

  @Test
  void dotDotPath_isRejected() {
    byte[] archive = new RawTar().file("oci-layout", LAYOUT).file("blobs/../../etc/x", "x").end();

    assertRejected(archive, "leaves the layout: blobs/../../etc/x");
  }

  @Test
  void absolutePath_isRejected() {
    byte[] archive = new RawTar().file("/oci-layout", LAYOUT).end();

    assertRejected(archive, "not a relative path: /oci-layout");
  }

  @Test
  void symlinkEntry_isRejected() {
    byte[] archive =
        new RawTar().file("oci-layout", LAYOUT).symlink(blobPath(LAYER), "/etc/passwd").end();

    assertRejected(archive, blobPath(LAYER) + " is a symbolic link");
  }

  @Test
  void deviceEntry_isRejected() {
    byte[] archive = new RawTar().entry("index.json", '3', new byte[0], "").end();

    assertRejected(archive, "index.json is a character device");
  }

  @Test
  void unknownFile_isRejected() {
    byte[] archive = new RawTar().file("oci-layout", LAYOUT).file("README", "hello").end();

    assertRejected(archive, "README is not part of an OCI image layout");
  }

  @Test
  void blobNameThatIsNotADigest_isRejected() {
    byte[] archive = new RawTar().file("oci-layout", LAYOUT).file("blobs/sha256/abc", "x").end();

    assertRejected(archive, "blob name blobs/sha256/abc is not a valid digest");
  }

  @Test
  void duplicateBlobWithOtherContent_isRejected() {
    byte[] forged = LAYER.bytes().clone();
    forged[0] ^= 1;
    byte[] archive =
        new RawTar()
            .file("oci-layout", LAYOUT)
            .file(blobPath(LAYER), LAYER.bytes())
            .file(blobPath(LAYER), forged)
            .end();
    List<Digest> received = new ArrayList<>();

    assertThatThrownBy(
            () ->
                read(
                    archive,
                    (digest, size, content) -> {
                      content.readAllBytes();
                      received.add(digest);
                    }))
        .isInstanceOfSatisfying(
            BlobDigestMismatchException.class,
            e -> assertThat(e.expected()).isEqualTo(LAYER.digest()));
    assertThat(received).containsExactly(LAYER.digest());
  }

  @Test
  void duplicateBlobWithOtherSize_isRejected() {
    byte[] archive =
        new RawTar()
            .file("oci-layout", LAYOUT)
            .file(blobPath(LAYER), LAYER.bytes())
            .file(blobPath(LAYER), "other")
            .end();

    assertRejected(archive, "appears twice");
  }

  @Test
  void indexNamingAMissingManifest_isRejected() {
    byte[] archive =
        new RawTar()
            .file("oci-layout", LAYOUT)
            .file("index.json", RawTar.index(MANIFEST.descriptor(), "app"))
            .end();

    assertRejected(archive, MANIFEST.digest() + " (7 bytes), which the archive does not hold");
  }

  @Test
  void missingOrUnsupportedLayoutFile_isRejected() {
    byte[] noLayout =
        new RawTar()
            .file(blobPath(MANIFEST), MANIFEST.bytes())
            .file("index.json", RawTar.index(MANIFEST.descriptor(), "app"))
            .end();
    byte[] version2 = new RawTar().file("oci-layout", "{\"imageLayoutVersion\":\"2.0.0\"}").end();

    assertRejected(noLayout, "no oci-layout");
    assertRejected(version2, "unsupported image layout version 2.0.0");
  }

  @Test
  void damagedHeader_isRejectedByItsChecksum() throws IOException {
    byte[] archive = validArchive();
    archive[TarFormat.SIZE_OFFSET + 5] = '7';

    assertRejected(archive, "checksum");
  }

  private static byte[] validArchive() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OciArchiveWriter writer = new OciArchiveWriter(out)) {
      LAYER.addTo(writer);
      MANIFEST.addTo(writer);
      writer.addImage("app", MANIFEST.descriptor());
    }
    return out.toByteArray();
  }

  /** Reading {@code archive}, taking no blob, fails for the reason {@code message} names. */
  @Test
  void hugeEntryName_isQuotedShortened() {
    // Found writing its fuzz test: messages quoted a PAX path (up to 1 MiB) or index entry whole.
    String name = "x".repeat(100_000);
    byte[] pax = TarWriter.paxRecord("path", name).getBytes(StandardCharsets.UTF_8);
    byte[] archive = new RawTar().entry("pax", 'x', pax, "").file("ignored", "x").end();

    assertThatThrownBy(() -> read(archive, (digest, size, content) -> {}))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageStartingWith("archive entry xxx")
        .hasMessageEndingWith("xxx is not part of an OCI image layout")
        .message()
        .hasSizeLessThan(1000);
  }

  @Test
  void hugeIndexEntry_isQuotedShortened() {
    String index = "{\"schemaVersion\":2,\"manifests\":[{\"x\":\"" + "y".repeat(100_000) + "\"}]}";
    byte[] archive = new RawTar().file("oci-layout", LAYOUT).file("index.json", index).end();

    assertThatThrownBy(() -> read(archive, (digest, size, content) -> {}))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageStartingWith("an index.json entry lacks a media type, digest or size")
        .message()
        .hasSizeLessThan(1000);
  }

  private static void assertRejected(byte[] archive, String message) {
    assertThatThrownBy(() -> read(archive, (digest, size, content) -> {}))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(message);
  }

  private static void read(byte[] archive, BlobSink sink) throws IOException {
    InputStream in = new ByteArrayInputStream(archive);
    new OciArchiveReader(in).read(sink);
  }

  private static String blobPath(TestBlob blob) {
    return "blobs/sha256/" + blob.digest().hex();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }
}
