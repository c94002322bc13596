package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Twenty clients ask the real mirror for the same uncached 100 MB layer at once; the real upstream
 * registry's access log must show one GET of it, and every client must get the right bytes.
 */
class SingleFlightIT {
  private static final int CLIENTS = 20;

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static StevedoreProcess mirror;
  private static OciImage big;

  @BeforeAll
  static void start() {
    registry = lab.registry();
    big = OciImages.shared().big();
    lab.push(big, "e2e/big:3.0");
    mirror = lab.mirror();
  }

  @Test
  void twentyConcurrentClients_ofOneUncached100MbBlob_makeOneUpstreamGet() throws Exception {
    OciImage.Blob layer = big.manifests().get(0).layers().get(0).blob();
    assertThat(layer.size()).isGreaterThanOrEqualTo(100L * 1024 * 1024);
    String path = "/v2/e2e/big/blobs/" + layer.digest();
    RegistryProcess.Mark mark = registry.mark();

    List<Future<String>> digests = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < CLIENTS; i++) {
        digests.add(
            pool.submit(() -> StreamedDigest.sha256Of(mirror.url().resolve(path), layer.size())));
      }
      for (Future<String> digest : digests) {
        assertThat(digest.get()).isEqualTo(layer.digest());
      }
    }

    List<AccessLogEntry> blobGets =
        registry.requestsSince(mark).stream().filter(e -> e.matches("GET", path)).toList();
    assertThat(blobGets).hasSize(1);
  }
}
