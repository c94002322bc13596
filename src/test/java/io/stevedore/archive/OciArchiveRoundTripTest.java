package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OciArchiveRoundTripTest {
  private static final TestBlob CONFIG =
      TestBlob.of("application/vnd.oci.image.config.v1+json", "{\"os\":\"linux\"}");
  private static final TestBlob LAYER_A = TestBlob.of("application/octet-stream", "a".repeat(1000));
  private static final TestBlob LAYER_B = TestBlob.of("application/octet-stream", "");
  private static final TestBlob MANIFEST_1 = TestBlob.of(MediaType.OCI_MANIFEST, "{\"m\":1}");
  private static final TestBlob MANIFEST_2 = TestBlob.of(MediaType.OCI_MANIFEST, "{\"m\":2}");

  @Test
  void roundTrip_blobsAndImagesComeBackEqual() throws IOException {
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    try (OciArchiveWriter writer = new OciArchiveWriter(archive)) {
      writer.addImage("lab.example/app:1", MANIFEST_1.descriptor());
      for (TestBlob blob : List.of(CONFIG, LAYER_A, LAYER_B, MANIFEST_1, MANIFEST_2)) {
        assertThat(blob.addTo(writer)).isTrue();
      }
      writer.addImage("lab.example/app:2", MANIFEST_2.descriptor());
    }

    Map<Digest, byte[]> received = new LinkedHashMap<>();
    List<ArchiveImage> images =
        new OciArchiveReader(new ByteArrayInputStream(archive.toByteArray()))
            .read(
                (digest, size, content) -> {
                  byte[] bytes = content.readAllBytes();
                  assertThat(bytes).hasSize((int) size);
                  assertThat(received.put(digest, bytes)).isNull();
                });

    assertThat(received.keySet())
        .containsExactly(
            CONFIG.digest(),
            LAYER_A.digest(),
            LAYER_B.digest(),
            MANIFEST_1.digest(),
            MANIFEST_2.digest());
    for (TestBlob blob : List.of(CONFIG, LAYER_A, LAYER_B, MANIFEST_1, MANIFEST_2)) {
      assertThat(received.get(blob.digest())).isEqualTo(blob.bytes());
    }
    assertThat(images)
        .containsExactly(
            new ArchiveImage(Optional.of("lab.example/app:1"), MANIFEST_1.descriptor()),
            new ArchiveImage(Optional.of("lab.example/app:2"), MANIFEST_2.descriptor()));
  }

  @Test
  void writer_putsLayoutFirstAndIndexLast() throws IOException {
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    try (OciArchiveWriter writer = new OciArchiveWriter(archive)) {
      MANIFEST_1.addTo(writer);
      writer.addImage("app", MANIFEST_1.descriptor());
    }

    assertThat(TarListing.names(archive.toByteArray()))
        .containsExactly("oci-layout", "blobs/sha256/" + MANIFEST_1.digest().hex(), "index.json");
  }

  @Test
  void addBlob_repeatedDigest_isWrittenOnce() throws IOException {
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    try (OciArchiveWriter writer = new OciArchiveWriter(archive)) {
      assertThat(LAYER_A.addTo(writer)).isTrue();
      assertThat(
              writer.addBlob(
                  LAYER_A.digest(),
                  LAYER_A.bytes().length,
                  out -> {
                    throw new AssertionError("a repeated blob must not be written");
                  }))
          .isFalse();
    }

    assertThat(TarListing.names(archive.toByteArray())).hasSize(3);
  }

  @Test
  void addBlob_contentShorterThanSize_failsAndLeavesTheArchiveTruncated() throws IOException {
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    OciArchiveWriter writer = new OciArchiveWriter(archive);

    assertThatThrownBy(
            () -> writer.addBlob(LAYER_A.digest(), 1000, out -> out.write(LAYER_A.bytes(), 0, 999)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ended after 999 of the 1000 bytes");
    assertThatThrownBy(() -> CONFIG.addTo(writer))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("earlier write failed");
    writer.close();

    assertThatThrownBy(
            () ->
                new OciArchiveReader(new ByteArrayInputStream(archive.toByteArray()))
                    .read((digest, size, content) -> content.readAllBytes()))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void addBlob_contentLongerThanSize_fails() throws IOException {
    OciArchiveWriter writer = new OciArchiveWriter(new ByteArrayOutputStream());

    assertThatThrownBy(
            () ->
                writer.addBlob(
                    CONFIG.digest(),
                    CONFIG.bytes().length,
                    out -> {
                      out.write(CONFIG.bytes());
                      out.write('x');
                    }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("longer than the " + CONFIG.bytes().length + " bytes announced");
  }

  @Test
  void addBlob_contentWithOtherDigest_failsNamingBoth() throws IOException {
    OciArchiveWriter writer = new OciArchiveWriter(new ByteArrayOutputStream());
    byte[] other = "{\"os\":\"LINUX\"}".getBytes();

    assertThatThrownBy(() -> writer.addBlob(CONFIG.digest(), other.length, out -> out.write(other)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(CONFIG.digest().toString())
        .hasMessageContaining(Digest.sha256(other).toString());
  }

  @Test
  void close_imageWithoutItsManifestBlob_fails() throws IOException {
    OciArchiveWriter writer = new OciArchiveWriter(new ByteArrayOutputStream());
    writer.addImage("app", MANIFEST_1.descriptor());

    assertThatThrownBy(writer::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(MANIFEST_1.digest().toString());
  }

  @Test
  void addImage_invalidOrRepeatedRefName_fails() throws IOException {
    OciArchiveWriter writer = new OciArchiveWriter(new ByteArrayOutputStream());
    writer.addImage("app:1", MANIFEST_1.descriptor());

    assertThatThrownBy(() -> writer.addImage("app:1", MANIFEST_2.descriptor()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("used twice");
    for (String invalid : List.of("", "app:", "/app", "a b", "app//x")) {
      assertThatThrownBy(() -> writer.addImage(invalid, MANIFEST_2.descriptor()))
          .as(invalid)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void reader_handsARepeatedBlobOverOnce() throws IOException {
    byte[] archive =
        new RawTar()
            .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
            .file("blobs/sha256/" + MANIFEST_1.digest().hex(), MANIFEST_1.bytes())
            .file("blobs/sha256/" + MANIFEST_1.digest().hex(), MANIFEST_1.bytes())
            .file("index.json", RawTar.index(MANIFEST_1.descriptor(), "app"))
            .end();
    List<Digest> received = new ArrayList<>();

    new OciArchiveReader(new ByteArrayInputStream(archive))
        .read((digest, size, content) -> received.add(digest));

    assertThat(received).containsExactly(MANIFEST_1.digest());
  }
}
