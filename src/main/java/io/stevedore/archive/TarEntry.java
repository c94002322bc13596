package io.stevedore.archive;

/**
 * One member of a tar archive, after PAX and GNU long-name headers have been applied.
 *
 * @param name the full path as the archive states it, not normalized
 * @param type the ustar type flag, e.g. {@code '0'} for a regular file, {@code '2'} for a symlink
 * @param size the content length in bytes
 */
record TarEntry(String name, char type, long size) {
  boolean isRegularFile() {
    // '\0' is the pre-POSIX regular file, '7' a contiguous file, which readers treat as regular.
    return type == TarFormat.REGULAR || type == '\0' || type == '7';
  }

  boolean isDirectory() {
    return type == '5';
  }
}
