package io.stevedore.archive;

import static io.stevedore.archive.TarFormat.BLOCK;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a POSIX tar of regular files, streaming each file's content. Names longer than the 100
 * bytes of the ustar name field, non-ASCII names and files of 8 GiB or more get a PAX extended
 * header. Owner, mode and time are fixed so the same files always give the same bytes.
 */
final class TarWriter {
  // 2024-01-01T00:00:00Z: any fixed time keeps archives reproducible; 0 makes GNU tar warn.
  private static final long MTIME = 1_704_067_200L;

  private final OutputStream out;

  TarWriter(OutputStream out) {
    this.out = out;
  }

  /**
   * Writes a file whose content {@code content} writes; it must write exactly {@code size} bytes.
   *
   * @throws IOException also when {@code content} writes fewer or more bytes; the archive is then
   *     broken and must not be continued
   */
  void file(String name, long size, BlobSource content) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("a file size must not be negative, got " + size);
    }
    boolean nameFits = fitsNameField(name);
    if (!nameFits || size > TarFormat.MAX_OCTAL_SIZE) {
      paxHeader(name, size, nameFits);
    }
    out.write(header(name, size, TarFormat.REGULAR));
    ExactSizeOutputStream body = new ExactSizeOutputStream(out, name, size);
    content.writeTo(body);
    body.checkComplete();
    out.write(new byte[TarFormat.padding(size)]);
  }

  /** Ends the archive with two zero blocks; does not close the underlying stream. */
  void finish() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }

  private void paxHeader(String name, long size, boolean nameFits) throws IOException {
    StringBuilder records = new StringBuilder();
    if (!nameFits) {
      records.append(paxRecord("path", name));
    }
    if (size > TarFormat.MAX_OCTAL_SIZE) {
      records.append(paxRecord("size", Long.toString(size)));
    }
    byte[] data = records.toString().getBytes(StandardCharsets.UTF_8);
    out.write(header("PaxHeaders/" + name, data.length, TarFormat.PAX_EXTENDED));
    out.write(data);
    out.write(new byte[TarFormat.padding(data.length)]);
  }

  /** A PAX record {@code "<length> <key>=<value>\n"}, whose length counts its own digits. */
  static String paxRecord(String key, String value) {
    int rest = 1 + key.length() + 1 + value.getBytes(StandardCharsets.UTF_8).length + 1;
    int length = rest + Integer.toString(rest).length();
    if (Integer.toString(length).length() != Integer.toString(rest).length()) {
      length++;
    }
    return length + " " + key + "=" + value + "\n";
  }

  /**
   * The name as the ustar field holds it: as is when it fits, else what readers without PAX support
   * see, ASCII and cut to fit.
   */
  private static byte[] asciiName(String name) {
    byte[] ascii = name.replaceAll("[^\\x20-\\x7e]", "_").getBytes(StandardCharsets.US_ASCII);
    return Arrays.copyOf(ascii, Math.min(ascii.length, TarFormat.NAME_LENGTH));
  }

  private static byte[] header(String name, long size, char type) {
    byte[] h = new byte[BLOCK];
    byte[] fieldName = asciiName(name);
    System.arraycopy(fieldName, 0, h, TarFormat.NAME_OFFSET, fieldName.length);
    octal(h, TarFormat.MODE_OFFSET, 8, 0644);
    octal(h, TarFormat.UID_OFFSET, 8, 0);
    octal(h, TarFormat.GID_OFFSET, 8, 0);
    // A PAX size record carries the real size; the field then holds what still fits.
    octal(
        h, TarFormat.SIZE_OFFSET, TarFormat.SIZE_LENGTH, Math.min(size, TarFormat.MAX_OCTAL_SIZE));
    octal(h, TarFormat.MTIME_OFFSET, 12, MTIME);
    h[TarFormat.TYPE_OFFSET] = (byte) type;
    ascii(h, TarFormat.MAGIC_OFFSET, "ustar\0" + "00");
    ascii(h, TarFormat.UNAME_OFFSET, "root");
    ascii(h, TarFormat.GNAME_OFFSET, "root");
    // Six octal digits, NUL, space: the form POSIX and GNU tar write.
    ascii(h, TarFormat.CHECKSUM_OFFSET, String.format("%06o\0 ", TarFormat.checksum(h)));
    return h;
  }

  private static void octal(byte[] h, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    ascii(h, offset, "0".repeat(length - 1 - digits.length()) + digits + "\0");
  }

  private static void ascii(byte[] h, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, h, offset, bytes.length);
  }

  private static boolean fitsNameField(String name) {
    return name.length() <= TarFormat.NAME_LENGTH
        && name.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
  }

  /**
   * Passes on at most {@code size} bytes and fails on more, so a wrong size cannot shift entries.
   */
  private static final class ExactSizeOutputStream extends OutputStream {
    private final OutputStream out;
    private final String name;
    private final long size;
    private long remaining;

    ExactSizeOutputStream(OutputStream out, String name, long size) {
      this.out = out;
      this.name = name;
      this.size = size;
      this.remaining = size;
    }

    @Override
    public void write(int b) throws IOException {
      take(1);
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      take(len);
      out.write(b, off, len);
    }

    private void take(int len) throws IOException {
      if (len > remaining) {
        throw new IOException(name + ": content is longer than the " + size + " bytes announced");
      }
      remaining -= len;
    }

    void checkComplete() throws IOException {
      if (remaining != 0) {
        throw new IOException(
            name
                + ": content ended after "
                + (size - remaining)
                + " of the "
                + size
                + " bytes announced");
      }
    }

    @Override
    public void close() {
      // The archive continues after this file; closing belongs to whoever owns the stream.
    }
  }
}
