package io.stevedore.archive;

import java.nio.charset.StandardCharsets;

/**
 * The records of a PAX extended header that matter to a layout: {@code path} and {@code size};
 * others (times, owners, xattrs) are ignored.
 *
 * @param path the entry's full name, or null when not given
 * @param size the entry's content length, or null when not given
 */
record PaxRecords(String path, Long size) {

  /**
   * Parses {@code "<length> <key>=<value>\n"} records, where the length counts the whole record.
   */
  static PaxRecords parse(byte[] data) throws InvalidArchiveException {
    String path = null;
    Long size = null;
    int pos = 0;
    while (pos < data.length) {
      int space = pos;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      int length = parseLength(data, pos, space);
      int end = pos + length;
      if (length <= space - pos || end > data.length || data[end - 1] != '\n') {
        throw new InvalidArchiveException("a malformed PAX header record");
      }
      String record = new String(data, space + 1, end - 1 - (space + 1), StandardCharsets.UTF_8);
      int equals = record.indexOf('=');
      if (equals < 0) {
        throw new InvalidArchiveException("a PAX header record without '='");
      }
      String key = record.substring(0, equals);
      String value = record.substring(equals + 1);
      switch (key) {
        case "path" -> path = value;
        case "size" -> size = parseSize(value);
        default -> {
          // Not needed to locate or bound an entry.
        }
      }
      pos = end;
    }
    return new PaxRecords(path, size);
  }

  private static int parseLength(byte[] data, int from, int to) throws InvalidArchiveException {
    if (to == from || to - from > 9 || to >= data.length) {
      throw new InvalidArchiveException("a malformed PAX header record length");
    }
    int length = 0;
    for (int i = from; i < to; i++) {
      if (data[i] < '0' || data[i] > '9') {
        throw new InvalidArchiveException("a malformed PAX header record length");
      }
      length = length * 10 + (data[i] - '0');
    }
    return length;
  }

  private static long parseSize(String value) throws InvalidArchiveException {
    try {
      long size = Long.parseLong(value);
      if (size < 0 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new NumberFormatException();
      }
      return size;
    } catch (NumberFormatException e) {
      throw new InvalidArchiveException("a PAX size record that is not a size: " + value);
    }
  }
}
