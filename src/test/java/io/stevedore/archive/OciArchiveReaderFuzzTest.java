package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The air-gap archive reader on any bytes: an {@link InvalidArchiveException} with a bounded
 * message, or images whose manifests it handed over; every blob it handed over, once each, has
 * exactly its size and hashes to its name. The input itself, written by {@link OciArchiveWriter} as
 * an image's manifest, reads back as that image.
 */
class OciArchiveReaderFuzzTest {

  @FuzzTest
  void read(byte[] input) throws IOException {
    assertWrittenImageReadsBack(input);
    Map<Digest, byte[]> delivered = new HashMap<>();
    List<ArchiveImage> images;
    try {
      images =
          new OciArchiveReader(new ByteArrayInputStream(input))
              .read(
                  (digest, size, content) -> {
                    byte[] bytes = content.readAllBytes();
                    assertThat(bytes).hasSize((int) size);
                    assertThat(delivered.put(digest, bytes))
                        .as("%s handed over twice", digest)
                        .isNull();
                  });
    } catch (InvalidArchiveException e) {
      assertThat(e.getMessage()).hasSizeLessThan(1000);
      return;
    }
    delivered.forEach((digest, bytes) -> assertThat(digest.recompute(bytes)).isEqualTo(digest));
    for (ArchiveImage image : images) {
      assertThat(delivered.get(image.descriptor().digest()))
          .as("the manifest of %s", image)
          .isNotNull()
          .hasSize((int) image.descriptor().size());
    }
  }

  /**
   * The input as an image's manifest, written by OciArchiveWriter under its first line as the ref
   * name when the writer takes that name, else under {@code fuzz}.
   */
  private static void assertWrittenImageReadsBack(byte[] input) throws IOException {
    String firstLine = new String(input, StandardCharsets.UTF_8).lines().findFirst().orElse("");
    Descriptor manifest =
        new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256(input), input.length);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    String refName;
    try (OciArchiveWriter writer = new OciArchiveWriter(archive)) {
      writer.addBlob(manifest.digest(), input.length, out -> out.write(input));
      try {
        writer.addImage(firstLine, manifest);
        refName = firstLine;
      } catch (IllegalArgumentException notARefName) {
        writer.addImage("fuzz", manifest);
        refName = "fuzz";
      }
    }

    Map<Digest, byte[]> delivered = new HashMap<>();
    List<ArchiveImage> images =
        new OciArchiveReader(new ByteArrayInputStream(archive.toByteArray()))
            .read((digest, size, content) -> delivered.put(digest, content.readAllBytes()));
    assertThat(images).containsExactly(new ArchiveImage(Optional.of(refName), manifest));
    assertThat(delivered).containsOnlyKeys(manifest.digest());
    assertThat(delivered.get(manifest.digest())).isEqualTo(input);
  }
}
