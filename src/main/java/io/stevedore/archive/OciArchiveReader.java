package io.stevedore.archive;

import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Json;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an OCI image-layout tar archive in one streaming pass, verifying every blob, and returns
 * the images its {@code index.json} lists. {@code oci-layout} and {@code index.json} may come
 * anywhere: this writer puts them first and last, skopeo writes both after the blobs.
 *
 * <p>Each blob goes to the {@link BlobSink} once, as a stream that hashes what passes. A blob whose
 * bytes do not match its name fails in two places, so the failure cannot be missed: the stream's
 * read that reaches the end throws {@link BlobDigestMismatchException} rather than return the last
 * bytes, and {@link #read} throws it after the sink returns, even if the sink caught it or stopped
 * reading early. When {@link #read} throws, the caller must discard whatever it kept of the
 * mismatching blob ({@link BlobDigestMismatchException#expected()}); blobs handed over before it
 * were verified and may be kept, though the images may then be incomplete.
 *
 * <p>The archive must hold exactly a layout: regular files {@code oci-layout}, {@code index.json}
 * and {@code blobs/<algorithm>/<hex>}, plus directories on those paths (a leading {@code ./} is
 * allowed). Everything else fails with {@link InvalidArchiveException}: links and devices, absolute
 * paths and {@code ..}, unknown files (an import that silently skipped data would hide a wrong or
 * tampered archive), blob names that are not digests, a blob repeated with other content, a missing
 * or unsupported {@code oci-layout}, a missing {@code index.json} or an image whose manifest is not
 * in the archive, and truncation. The underlying stream is not closed.
 */
public final class OciArchiveReader {
  private static final int MAX_LAYOUT_FILE_SIZE = 64 * 1024;
  // About 60,000 images: far beyond a bundle, small enough to hold in memory.
  private static final int MAX_INDEX_SIZE = 16 * 1024 * 1024;

  private final TarReader tar;
  private final Map<Digest, Long> blobSizes = new HashMap<>();
  private boolean layoutSeen;
  private List<ArchiveImage> images;
  private boolean used;

  public OciArchiveReader(InputStream in) {
    this.tar = new TarReader(in);
  }

  /**
   * Reads the whole archive, handing each blob to {@code sink}, and returns the images of its index
   * in index order. Call once.
   *
   * @throws BlobDigestMismatchException when a blob's content does not match its name
   * @throws InvalidArchiveException when the archive is not a well-formed image layout
   */
  public List<ArchiveImage> read(BlobSink sink) throws IOException {
    if (used) {
      throw new IllegalStateException("an archive is read once");
    }
    used = true;
    for (TarEntry entry = tar.next(); entry != null; entry = tar.next()) {
      String path = checkedPath(entry.name());
      if (entry.isDirectory()) {
        checkDirectory(path);
      } else if (!entry.isRegularFile()) {
        throw new InvalidArchiveException(
            "archive entry "
                + entry.name()
                + " is "
                + kind(entry.type())
                + "; an image layout holds only regular files and directories");
      } else if (path.equals(OciLayout.LAYOUT_FILE)) {
        readLayoutFile(entry);
      } else if (path.equals(OciLayout.INDEX_FILE)) {
        readIndex(entry);
      } else if (path.startsWith(OciLayout.BLOBS_DIR + "/")) {
        readBlob(path, entry.size(), sink);
      } else {
        throw new InvalidArchiveException(
            "archive entry " + entry.name() + " is not part of an OCI image layout");
      }
    }
    return checkComplete();
  }

  /**
   * The path without a leading {@code ./} or trailing slash; absolute paths and {@code ..} fail.
   */
  private static String checkedPath(String name) throws InvalidArchiveException {
    if (name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0) {
      throw new InvalidArchiveException("archive entry path is not a relative path: " + name);
    }
    for (String component : name.split("/")) {
      if (component.equals("..")) {
        throw new InvalidArchiveException("archive entry path leaves the layout: " + name);
      }
    }
    String path = name.startsWith("./") ? name.substring(2) : name;
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static void checkDirectory(String path) throws InvalidArchiveException {
    boolean algorithmDirectory = false;
    for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
      algorithmDirectory |= path.equals(OciLayout.BLOBS_DIR + "/" + algorithm.prefix());
    }
    if (!path.isEmpty()
        && !path.equals(".")
        && !path.equals(OciLayout.BLOBS_DIR)
        && !algorithmDirectory) {
      throw new InvalidArchiveException(
          "archive directory " + path + " is not part of an OCI image layout");
    }
  }

  private void readBlob(String path, long size, BlobSink sink) throws IOException {
    String[] parts = path.split("/", -1);
    if (parts.length != 3) {
      throw new InvalidArchiveException("archive entry " + path + " is not a blob path");
    }
    Digest digest;
    try {
      digest = Digest.parse(parts[1] + ":" + parts[2]);
    } catch (RegistryException e) {
      throw new InvalidArchiveException(
          "blob name " + path + " is not a valid digest: " + e.getMessage());
    }
    VerifyingBlobStream content = new VerifyingBlobStream(digest, size, tar.content());
    Long earlier = blobSizes.putIfAbsent(digest, size);
    if (earlier == null) {
      sink.blob(digest, size, content);
    } else if (earlier != size) {
      throw new InvalidArchiveException(
          "blob " + digest + " appears twice, with " + earlier + " and " + size + " bytes");
    }
    // A repeat is verified like the first copy but not handed over again.
    content.drain();
  }

  private void readLayoutFile(TarEntry entry) throws IOException {
    if (layoutSeen) {
      throw new InvalidArchiveException("the archive holds two oci-layout files");
    }
    layoutSeen = true;
    Object version =
        asMap(parseJson(entry, MAX_LAYOUT_FILE_SIZE), "oci-layout").get("imageLayoutVersion");
    if (!OciLayout.LAYOUT_VERSION.equals(version)) {
      throw new InvalidArchiveException(
          "unsupported image layout version "
              + version
              + "; "
              + OciLayout.LAYOUT_VERSION
              + " is supported");
    }
  }

  private void readIndex(TarEntry entry) throws IOException {
    if (images != null) {
      throw new InvalidArchiveException("the archive holds two index.json files");
    }
    Map<?, ?> index = asMap(parseJson(entry, MAX_INDEX_SIZE), "index.json");
    if (!Long.valueOf(2).equals(index.get("schemaVersion"))) {
      throw new InvalidArchiveException("index.json schemaVersion is not 2");
    }
    Object mediaType = index.get("mediaType");
    if (mediaType != null && !MediaType.OCI_INDEX.equals(mediaType)) {
      throw new InvalidArchiveException("index.json has media type " + mediaType);
    }
    if (!(index.get("manifests") instanceof List<?> manifests)) {
      throw new InvalidArchiveException("index.json has no manifests list");
    }
    List<ArchiveImage> listed = new ArrayList<>();
    Set<String> refNames = new HashSet<>();
    for (Object manifest : manifests) {
      ArchiveImage image = image(asMap(manifest, "an index.json entry"));
      if (image.refName().isPresent() && !refNames.add(image.refName().get())) {
        throw new InvalidArchiveException("index.json names two images " + image.refName().get());
      }
      listed.add(image);
    }
    images = List.copyOf(listed);
  }

  private static ArchiveImage image(Map<?, ?> entry) throws InvalidArchiveException {
    if (!(entry.get("mediaType") instanceof String mediaType)
        || !(entry.get("digest") instanceof String digest)
        || !(entry.get("size") instanceof Long size)
        || size < 0) {
      throw new InvalidArchiveException(
          "an index.json entry lacks a media type, digest or size: " + Json.write(entry));
    }
    Descriptor descriptor;
    try {
      descriptor = new Descriptor(mediaType, Digest.parse(digest), size);
    } catch (RegistryException e) {
      throw new InvalidArchiveException("an index.json entry has " + e.getMessage());
    }
    Optional<String> refName = Optional.empty();
    Object annotations = entry.get("annotations");
    if (annotations != null) {
      Object ref = asMap(annotations, "index.json annotations").get(OciLayout.REF_NAME_ANNOTATION);
      if (ref != null && !(ref instanceof String)) {
        throw new InvalidArchiveException("an index.json ref name is not a string");
      }
      refName = Optional.ofNullable((String) ref);
    }
    return new ArchiveImage(refName, descriptor);
  }

  private List<ArchiveImage> checkComplete() throws InvalidArchiveException {
    if (!layoutSeen) {
      throw new InvalidArchiveException("the archive has no oci-layout: not an OCI image layout");
    }
    if (images == null) {
      throw new InvalidArchiveException("the archive has no index.json");
    }
    for (ArchiveImage image : images) {
      Descriptor top = image.descriptor();
      if (!Long.valueOf(top.size()).equals(blobSizes.get(top.digest()))) {
        throw new InvalidArchiveException(
            "index.json lists "
                + top.digest()
                + " ("
                + top.size()
                + " bytes), which the archive does not hold");
      }
    }
    return images;
  }

  private Object parseJson(TarEntry entry, int maxSize) throws IOException {
    if (entry.size() > maxSize) {
      throw new InvalidArchiveException(
          entry.name() + " is " + entry.size() + " bytes, more than the " + maxSize + " allowed");
    }
    byte[] bytes = tar.content().readAllBytes();
    try {
      return Json.parse(bytes);
    } catch (IllegalArgumentException e) {
      throw new InvalidArchiveException(entry.name() + " is not valid JSON: " + e.getMessage());
    }
  }

  private static Map<?, ?> asMap(Object value, String what) throws InvalidArchiveException {
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    throw new InvalidArchiveException(what + " is not a JSON object");
  }

  private static String kind(char type) {
    return switch (type) {
      case '1' -> "a hard link";
      case '2' -> "a symbolic link";
      case '3' -> "a character device";
      case '4' -> "a block device";
      case '6' -> "a FIFO";
      default -> "of tar type '" + type + "'";
    };
  }
}
