package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A blob larger than the test JVM's 1 GiB heap goes from a generator through the writer, a pipe and
 * the reader to a consumer that checks it on the fly: buffering it anywhere would fail with
 * OutOfMemoryError, and the allocation check catches smaller buffering too.
 */
class OciArchiveStreamingTest {
  // 1.5 GiB plus an odd tail, so the last block is padded.
  private static final long SIZE = (3L << 29) + 123;
  private static final long ALLOCATION_LIMIT = 32L << 20;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void blobLargerThanTheHeap_streamsThroughWriterAndReader() throws Exception {
    GeneratedContent content = new GeneratedContent(SIZE);
    Digest digest = content.digest();
    TestBlob manifest = TestBlob.of(MediaType.OCI_MANIFEST, "{\"layer\":\"" + digest + "\"}");
    PipedInputStream pipeIn = new PipedInputStream(1 << 20);
    PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);

    AtomicLong writerAllocated = new AtomicLong();
    CompletableFuture<Void> writing = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("archive-writer")
        .start(
            () -> {
              long before = allocatedByThisThread();
              try (pipeOut;
                  OciArchiveWriter writer = new OciArchiveWriter(pipeOut)) {
                writer.addBlob(digest, SIZE, content::writeTo);
                manifest.addTo(writer);
                writer.addImage("big", manifest.descriptor());
                writing.complete(null);
              } catch (Throwable e) {
                writing.completeExceptionally(e);
              }
              writerAllocated.set(allocatedByThisThread() - before);
            });

    long before = allocatedByThisThread();
    AtomicLong matched = new AtomicLong();
    List<ArchiveImage> images =
        new OciArchiveReader(pipeIn)
            .read(
                (blobDigest, size, blob) -> {
                  if (blobDigest.equals(digest)) {
                    assertThat(size).isEqualTo(SIZE);
                    matched.set(content.matchingPrefix(blob));
                  }
                });
    long readerAllocated = allocatedByThisThread() - before;
    writing.get(1, TimeUnit.MINUTES);

    assertThat(matched.get()).isEqualTo(SIZE);
    assertThat(images)
        .singleElement()
        .extracting(ArchiveImage::descriptor)
        .isEqualTo(manifest.descriptor());
    assertThat(readerAllocated).isLessThan(ALLOCATION_LIMIT);
    assertThat(writerAllocated.get()).isLessThan(ALLOCATION_LIMIT);
  }

  private static long allocatedByThisThread() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }
}
