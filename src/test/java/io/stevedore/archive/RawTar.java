package io.stevedore.archive;

import io.stevedore.oci.Descriptor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds tar archives byte by byte for tests, including entries a layout must not hold (links,
 * devices, hostile paths) that {@link TarWriter} cannot write.
 */
final class RawTar {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  RawTar file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8));
  }

  RawTar file(String name, byte[] content) {
    return entry(name, '0', content, "");
  }

  RawTar directory(String name) {
    return entry(name, '5', new byte[0], "");
  }

  RawTar symlink(String name, String target) {
    return entry(name, '2', new byte[0], target);
  }

  /** An entry of any type; {@code name} may use the ustar prefix with a '|' at the split. */
  RawTar entry(String name, char type, byte[] content, String linkTarget) {
    byte[] h = new byte[TarFormat.BLOCK];
    int split = name.indexOf('|');
    if (split >= 0) {
      put(h, TarFormat.PREFIX_OFFSET, name.substring(0, split));
      name = name.substring(split + 1);
    }
    put(h, 0, name);
    put(h, TarFormat.MODE_OFFSET, "0000644");
    put(h, TarFormat.UID_OFFSET, "0000000");
    put(h, TarFormat.GID_OFFSET, "0000000");
    put(h, TarFormat.SIZE_OFFSET, String.format("%011o", content.length));
    put(h, TarFormat.MTIME_OFFSET, "00000000000");
    h[TarFormat.TYPE_OFFSET] = (byte) type;
    put(h, 157, linkTarget);
    put(h, TarFormat.MAGIC_OFFSET, "ustar\0" + "00");
    put(h, TarFormat.CHECKSUM_OFFSET, String.format("%06o\0 ", TarFormat.checksum(h)));
    out.writeBytes(h);
    out.writeBytes(content);
    out.writeBytes(new byte[TarFormat.padding(content.length)]);
    return this;
  }

  /** The archive with its end-of-archive marker. */
  byte[] end() {
    out.writeBytes(new byte[2 * TarFormat.BLOCK]);
    return out.toByteArray();
  }

  /** The archive so far, without an end-of-archive marker. */
  byte[] unterminated() {
    return out.toByteArray();
  }

  static String index(Descriptor top, String refName) {
    return "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
        + top.mediaType()
        + "\",\"digest\":\""
        + top.digest()
        + "\",\"size\":"
        + top.size()
        + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\""
        + refName
        + "\"}}]}";
  }

  private static void put(byte[] h, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, h, offset, bytes.length);
  }
}
