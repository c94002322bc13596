package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Damages a closed store on purpose, as bit rot or a bad disk would, for verification tests. */
public final class StoreTampering {
  private StoreTampering() {}

  /** Flips the byte at {@code offset} of blob {@code digest} in the store at {@code dir}. */
  public static void flipByte(Path dir, Digest digest, long offset) throws IOException {
    Path file = new BlobFiles(dir.resolve(RocksStore.BLOB_FILES), false).path(digest);
    try (RandomAccessFile blob = new RandomAccessFile(file.toFile(), "rw")) {
      blob.seek(offset);
      int value = blob.read();
      blob.seek(offset);
      blob.write(value ^ 1);
    }
  }
}
