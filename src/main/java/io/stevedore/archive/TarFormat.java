package io.stevedore.archive;

/** What the POSIX ustar writer and reader share: the block size and the header field layout. */
final class TarFormat {
  static final int BLOCK = 512;

  static final int NAME_OFFSET = 0;
  static final int NAME_LENGTH = 100;
  static final int MODE_OFFSET = 100;
  static final int UID_OFFSET = 108;
  static final int GID_OFFSET = 116;
  static final int SIZE_OFFSET = 124;
  static final int SIZE_LENGTH = 12;
  static final int MTIME_OFFSET = 136;
  static final int CHECKSUM_OFFSET = 148;
  static final int CHECKSUM_LENGTH = 8;
  static final int TYPE_OFFSET = 156;
  static final int MAGIC_OFFSET = 257;
  static final int UNAME_OFFSET = 265;
  static final int GNAME_OFFSET = 297;
  static final int PREFIX_OFFSET = 345;
  static final int PREFIX_LENGTH = 155;

  static final char REGULAR = '0';
  static final char PAX_EXTENDED = 'x';

  /** The largest size an 11-digit octal field holds; larger files need a PAX size record. */
  static final long MAX_OCTAL_SIZE = 077777777777L;

  private TarFormat() {}

  /** The header checksum: the unsigned byte sum with the checksum field counted as spaces. */
  static long checksum(byte[] header) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      boolean inChecksumField = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH;
      sum += inChecksumField ? ' ' : header[i] & 0xff;
    }
    return sum;
  }

  /** The zero bytes that pad an entry of {@code size} bytes to a whole block. */
  static int padding(long size) {
    int rest = (int) (size % BLOCK);
    return rest == 0 ? 0 : BLOCK - rest;
  }
}
