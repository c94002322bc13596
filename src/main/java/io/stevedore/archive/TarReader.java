package io.stevedore.archive;

import static io.stevedore.archive.TarFormat.BLOCK;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a tar archive in one pass: POSIX ustar with its name prefix, PAX extended headers ({@code
 * path} and {@code size}; global headers are skipped) and GNU long names, octal or base-256
 * numbers. Every failure to parse, including an archive that ends before its end-of-archive marker,
 * is an {@link InvalidArchiveException}. The underlying stream is never closed.
 */
final class TarReader {
  /** Bounds what a PAX or long-name header may make us hold in memory. */
  private static final int MAX_METADATA_SIZE = 1 << 20;

  private final InputStream in;
  private EntryStream current;
  private boolean ended;

  TarReader(InputStream in) {
    this.in = in;
  }

  /**
   * Moves to the next entry, skipping what was not read of the current one.
   *
   * @return the entry, or null at the end-of-archive marker
   */
  TarEntry next() throws IOException {
    if (current != null) {
      current.drain();
      current = null;
    }
    if (ended) {
      return null;
    }
    String longName = null;
    Long paxSize = null;
    while (true) {
      byte[] header = readBlock("before the end-of-archive marker");
      if (isZero(header)) {
        if (!isZero(readBlock("inside the end-of-archive marker"))) {
          throw new InvalidArchiveException("a single zero block inside the archive");
        }
        ended = true;
        return null;
      }
      verifyChecksum(header);
      char type = (char) (header[TarFormat.TYPE_OFFSET] & 0xff);
      long size = number(header, TarFormat.SIZE_OFFSET, TarFormat.SIZE_LENGTH);
      switch (type) {
        case TarFormat.PAX_EXTENDED -> {
          PaxRecords records = PaxRecords.parse(readMetadata(size));
          longName = records.path() != null ? records.path() : longName;
          paxSize = records.size() != null ? records.size() : paxSize;
        }
        case 'g' -> readMetadata(size); // Global defaults: nothing in them matters to a layout.
        case 'L' -> longName = cString(readMetadata(size));
        default -> {
          String name = longName != null ? longName : headerName(header);
          long entrySize = paxSize != null ? paxSize : size;
          // Links and directories carry no content whatever the size field says.
          boolean hasContent = type != '1' && type != '2' && type != '5';
          current = new EntryStream(name, hasContent ? entrySize : 0);
          return new TarEntry(name, type, current.remaining());
        }
      }
    }
  }

  /** The content of the entry {@link #next} returned last: exactly its size, then end of stream. */
  InputStream content() {
    if (current == null) {
      throw new IllegalStateException("no current entry");
    }
    return current;
  }

  private byte[] readMetadata(long size) throws IOException {
    if (size > MAX_METADATA_SIZE) {
      throw new InvalidArchiveException("an extended header of " + size + " bytes is too large");
    }
    byte[] data = readFully((int) size, "inside an extended header");
    readFully(TarFormat.padding(size), "inside an extended header");
    return data;
  }

  private byte[] readBlock(String where) throws IOException {
    return readFully(BLOCK, where);
  }

  private byte[] readFully(int length, String where) throws IOException {
    byte[] data = in.readNBytes(length);
    if (data.length < length) {
      throw truncated(where);
    }
    return data;
  }

  private static InvalidArchiveException truncated(String where) {
    return new InvalidArchiveException("the archive is truncated: it ends " + where);
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static void verifyChecksum(byte[] header) throws InvalidArchiveException {
    long stored = number(header, TarFormat.CHECKSUM_OFFSET, TarFormat.CHECKSUM_LENGTH);
    if (stored != TarFormat.checksum(header)) {
      throw new InvalidArchiveException(
          "a tar header checksum does not match: the archive is damaged or not a tar");
    }
  }

  private static String headerName(byte[] header) {
    String name = cString(Arrays.copyOfRange(header, 0, TarFormat.NAME_LENGTH));
    // Only POSIX ustar has a prefix; GNU tar keeps other fields where the prefix would be.
    boolean posix =
        Arrays.equals(
            Arrays.copyOfRange(header, TarFormat.MAGIC_OFFSET, TarFormat.MAGIC_OFFSET + 6),
            "ustar\0".getBytes(StandardCharsets.US_ASCII));
    if (posix && header[TarFormat.PREFIX_OFFSET] != 0) {
      String prefix =
          cString(
              Arrays.copyOfRange(
                  header,
                  TarFormat.PREFIX_OFFSET,
                  TarFormat.PREFIX_OFFSET + TarFormat.PREFIX_LENGTH));
      return prefix + "/" + name;
    }
    return name;
  }

  private static String cString(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  /** An octal field (NUL or space terminated, maybe space padded), or GNU base-256. */
  static long number(byte[] header, int offset, int length) throws InvalidArchiveException {
    if ((header[offset] & 0x80) != 0) {
      if ((header[offset] & 0x40) != 0) {
        throw new InvalidArchiveException("a negative number in a tar header");
      }
      long value = header[offset] & 0x3f;
      for (int i = offset + 1; i < offset + length; i++) {
        if (value > (Long.MAX_VALUE >> 8)) {
          throw new InvalidArchiveException("a number in a tar header is out of range");
        }
        value = (value << 8) | (header[i] & 0xff);
      }
      return value;
    }
    int i = offset;
    int end = offset + length;
    while (i < end && header[i] == ' ') {
      i++;
    }
    long value = 0;
    int digits = 0;
    for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
      if (header[i] < '0' || header[i] > '7') {
        throw new InvalidArchiveException("a tar header has a non-octal number field");
      }
      value = value * 8 + (header[i] - '0');
      digits++;
    }
    if (digits == 0) {
      throw new InvalidArchiveException("a tar header has an empty number field");
    }
    return value;
  }

  /** The current entry's bytes; running out of archive before its end is a truncation. */
  private final class EntryStream extends BoundedInputStream {
    private final String name;
    private final long size;

    EntryStream(String name, long size) {
      super(in, size);
      this.name = name;
      this.size = size;
    }

    @Override
    IOException endedEarly() {
      return truncated("inside " + name);
    }

    @Override
    void reachedEnd() throws IOException {
      readFully(TarFormat.padding(size), "inside " + name);
    }
  }
}
