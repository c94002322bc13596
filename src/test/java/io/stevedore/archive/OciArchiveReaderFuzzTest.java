package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stevedore.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The air-gap archive reader on any bytes: an {@link InvalidArchiveException} with a bounded
 * message, or images whose manifests it handed over; every blob it handed over, once each, has
 * exactly its size and hashes to its name.
 */
class OciArchiveReaderFuzzTest {

  @FuzzTest
  void read(byte[] input) throws IOException {
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
}
