package io.stevedore.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal ustar writer: enough for image layers (regular files and directories), with fixed
 * owner, mode and time so the same content always gives the same bytes and digests.
 */
final class TarWriter implements AutoCloseable {
  private static final int BLOCK = 512;
  // 2024-01-01T00:00:00Z: any fixed time works; "0" makes some tools warn.
  private static final long MTIME = 1_704_067_200L;

  private final OutputStream out;
  private long pendingFileBytes;
  private long currentFileSize;

  TarWriter(OutputStream out) {
    this.out = out;
  }

  void directory(String name) throws IOException {
    header(name.endsWith("/") ? name : name + "/", 0, '5', 0755);
  }

  /** Writes a file header; the caller then writes exactly {@code size} bytes with {@link #data}. */
  void beginFile(String name, long size) throws IOException {
    header(name, size, '0', 0644);
    pendingFileBytes = size;
  }

  void data(byte[] bytes, int offset, int length) throws IOException {
    if (length > pendingFileBytes) {
      throw new IllegalStateException("more data than the file header announced");
    }
    out.write(bytes, offset, length);
    pendingFileBytes -= length;
    if (pendingFileBytes == 0) {
      pad(currentFileSize);
    }
  }

  void file(String name, byte[] content) throws IOException {
    beginFile(name, content.length);
    if (content.length == 0) {
      return;
    }
    data(content, 0, content.length);
  }

  private void header(String name, long size, char type, int mode) throws IOException {
    if (pendingFileBytes != 0) {
      throw new IllegalStateException("previous file is incomplete");
    }
    byte[] h = new byte[BLOCK];
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > 100) {
      throw new IllegalArgumentException("name too long for plain ustar: " + name);
    }
    System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, MTIME);
    h[156] = (byte) type;
    ascii(h, 257, "ustar\0");
    ascii(h, 263, "00");
    ascii(h, 265, "root");
    ascii(h, 297, "root");
    // The checksum is computed with its own field as spaces.
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    String chk = String.format("%06o", sum);
    ascii(h, 148, chk);
    h[154] = 0;
    h[155] = ' ';
    out.write(h);
    currentFileSize = size;
  }

  private void pad(long size) throws IOException {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      out.write(new byte[BLOCK - rest]);
    }
  }

  private static void octal(byte[] h, int offset, int length, long value) {
    String s = Long.toOctalString(value);
    String padded = "0".repeat(length - 1 - s.length()) + s;
    ascii(h, offset, padded);
    h[offset + length - 1] = 0;
  }

  private static void ascii(byte[] h, int offset, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, offset, b.length);
  }

  /** Ends the archive with two zero blocks; does not close the underlying stream. */
  @Override
  public void close() throws IOException {
    if (pendingFileBytes != 0) {
      throw new IllegalStateException("last file is incomplete");
    }
    out.write(new byte[2 * BLOCK]);
  }
}
