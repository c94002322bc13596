package io.stevedore.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The entry names of a tar, in archive order, read with {@link TarReader}. */
final class TarListing {
  private TarListing() {}

  static List<String> names(byte[] archive) throws IOException {
    TarReader reader = new TarReader(new ByteArrayInputStream(archive));
    List<String> names = new ArrayList<>();
    for (TarEntry entry = reader.next(); entry != null; entry = reader.next()) {
      names.add(entry.name());
    }
    return names;
  }
}
