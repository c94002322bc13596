package io.stevedore.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stevedore.oci.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobFileTest {
  @TempDir Path dir;

  @Test
  void wholeBlocksGoDirect_theTailThroughThePageCache_andTheFileHoldsEveryByte() throws Exception {
    BlobFiles files = new BlobFiles(dir, true);
    int chunk = files.blockSize() * 4;
    byte[] content = new byte[chunk * 3 + 1000];
    new Random(7).nextBytes(content);
    Digest digest = Digest.sha256(content);

    try (BlobFile file = files.create(digest)) {
      assumeTrue(file.direct(), "the file system of " + dir + " refuses direct I/O");
      // Out of order, as a resumed fill may write: the tail first, then whole chunks.
      file.write(3L * chunk, Arrays.copyOfRange(content, 3 * chunk, content.length), 1000);
      for (int i = 0; i < 3; i++) {
        file.write(
            (long) i * chunk, Arrays.copyOfRange(content, i * chunk, (i + 1) * chunk), chunk);
      }
      assertThat(file.direct()).as("every whole chunk went directly").isTrue();
      file.force();
    }

    assertThat(Files.readAllBytes(files.path(digest))).isEqualTo(content);
    byte[] buffer = new byte[chunk];
    assertThat(files.read(digest, chunk, chunk, buffer)).hasValue(chunk);
    assertThat(buffer).isEqualTo(Arrays.copyOfRange(content, chunk, 2 * chunk));
  }
}
