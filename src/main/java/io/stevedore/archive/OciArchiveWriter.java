package io.stevedore.archive;

import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Json;
import io.stevedore.oci.MediaType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Streams an OCI image layout as a tar archive that {@code skopeo oci-archive:} and {@link
 * OciArchiveReader} read: {@code oci-layout} first, then each blob as {@code
 * blobs/<algorithm>/<hex>} in the order added, then {@code index.json} on {@link #close()}.
 *
 * <p>Blob content is streamed through, never held, and hashed on the way: a blob whose bytes do not
 * match its digest or size fails the write. After any failure the writer refuses further use and
 * {@link #close()} leaves the archive without its index and end marker, so a reader rejects it as
 * truncated instead of importing part of it; the caller should delete the file. The underlying
 * stream is flushed but never closed.
 */
public final class OciArchiveWriter implements AutoCloseable {
  // The grammar of org.opencontainers.image.ref.name in the image-layout spec.
  private static final Pattern REF_NAME =
      Pattern.compile(
          "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");

  private final OutputStream out;
  private final TarWriter tar;
  private final Map<Digest, Long> blobSizes = new HashMap<>();
  private final Map<String, Descriptor> images = new LinkedHashMap<>();
  private boolean failed;
  private boolean closed;

  /** Starts the archive, writing {@code oci-layout}. */
  public OciArchiveWriter(OutputStream out) throws IOException {
    this.out = out;
    this.tar = new TarWriter(out);
    byte[] layout =
        Json.write(Map.of("imageLayoutVersion", OciLayout.LAYOUT_VERSION))
            .getBytes(StandardCharsets.UTF_8);
    guarded(() -> tar.file(OciLayout.LAYOUT_FILE, layout.length, o -> o.write(layout)));
  }

  /**
   * Writes the blob {@code digest} of {@code size} bytes, which {@code content} writes, unless it
   * was already written.
   *
   * @return whether it was written now; false for a digest added before
   * @throws IOException when {@code content} writes fewer or more than {@code size} bytes or bytes
   *     that do not hash to {@code digest} (the message names the digest), and when writing fails
   * @throws IllegalArgumentException when the digest was added before with another size
   */
  public boolean addBlob(Digest digest, long size, BlobSource content) throws IOException {
    checkOpen();
    Long earlier = blobSizes.get(digest);
    if (earlier != null) {
      if (earlier != size) {
        throw new IllegalArgumentException(
            "blob " + digest + " was added with " + earlier + " bytes, now with " + size);
      }
      return false;
    }
    guarded(() -> writeBlob(digest, size, content));
    blobSizes.put(digest, size);
    return true;
  }

  /**
   * Lists the manifest or index {@code top} in {@code index.json} under {@code refName}, the name
   * {@code skopeo copy oci-archive:<file>:<refName>} finds it by. Its blob must be added too,
   * before or after this call.
   *
   * @throws IllegalArgumentException when {@code refName} is not a valid ref name or already used,
   *     or {@code top} has no media type
   */
  public void addImage(String refName, Descriptor top) {
    checkOpen();
    if (refName == null || !REF_NAME.matcher(refName).matches()) {
      throw new IllegalArgumentException("not a valid image ref name: " + refName);
    }
    if (top.mediaType() == null || top.mediaType().isEmpty()) {
      throw new IllegalArgumentException("image " + refName + " needs a media type");
    }
    if (images.putIfAbsent(refName, top) != null) {
      throw new IllegalArgumentException("image ref name " + refName + " is used twice");
    }
  }

  /**
   * Writes {@code index.json} and the end-of-archive marker and flushes; the underlying stream
   * stays open. After an earlier failure it only flushes, leaving a truncated archive.
   *
   * @throws IllegalStateException when an image's manifest was not added as a blob of its size
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (failed) {
      out.flush();
      return;
    }
    for (Map.Entry<String, Descriptor> image : images.entrySet()) {
      Descriptor top = image.getValue();
      if (!Long.valueOf(top.size()).equals(blobSizes.get(top.digest()))) {
        failed = true;
        out.flush();
        throw new IllegalStateException(
            "image "
                + image.getKey()
                + " names "
                + top.digest()
                + " of "
                + top.size()
                + " bytes, which was not added as a blob of that size");
      }
    }
    byte[] index = indexJson().getBytes(StandardCharsets.UTF_8);
    guarded(
        () -> {
          tar.file(OciLayout.INDEX_FILE, index.length, o -> o.write(index));
          tar.finish();
        });
  }

  private void writeBlob(Digest digest, long size, BlobSource content) throws IOException {
    MessageDigest hasher = digest.algorithm().newHasher();
    tar.file(
        OciLayout.blobPath(digest), size, o -> content.writeTo(new DigestOutputStream(o, hasher)));
    Digest actual = Digest.of(digest.algorithm(), hasher.digest());
    if (!actual.equals(digest)) {
      throw new IOException(
          "blob " + digest + " was given content with digest " + actual + ": not written");
    }
  }

  private String indexJson() {
    List<Object> manifests = new ArrayList<>();
    for (Map.Entry<String, Descriptor> image : images.entrySet()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("mediaType", image.getValue().mediaType());
      entry.put("digest", image.getValue().digest().toString());
      entry.put("size", image.getValue().size());
      entry.put("annotations", Map.of(OciLayout.REF_NAME_ANNOTATION, image.getKey()));
      manifests.add(entry);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2L);
    index.put("mediaType", MediaType.OCI_INDEX);
    index.put("manifests", manifests);
    return Json.write(index);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the archive writer is closed");
    }
    if (failed) {
      throw new IllegalStateException("an earlier write failed; the archive is incomplete");
    }
  }

  /** Runs a write that, if it fails part way, leaves the tar unusable. */
  private void guarded(TarWrite write) throws IOException {
    try {
      write.run();
    } catch (IOException | RuntimeException | Error e) {
      failed = true;
      throw e;
    }
  }

  @FunctionalInterface
  private interface TarWrite {
    void run() throws IOException;
  }
}
