package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/** Damages a closed store on purpose, as bit rot or a bad disk would, for verification tests. */
public final class StoreTampering {
  private StoreTampering() {}

  /** Flips the first byte of chunk {@code index} of {@code digest} in the store at {@code dir}. */
  public static void flipFirstByteOfChunk(Path dir, Digest digest, long index) throws Exception {
    List<byte[]> names = RocksDB.listColumnFamilies(new org.rocksdb.Options(), dir.toString());
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    names.forEach(n -> descriptors.add(new ColumnFamilyDescriptor(n)));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions();
        RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles)) {
      ColumnFamilyHandle chunks = null;
      for (int i = 0; i < names.size(); i++) {
        if (new String(names.get(i), StandardCharsets.UTF_8).equals("chunks")) {
          chunks = handles.get(i);
        }
      }
      byte[] prefix = digest.toString().getBytes(StandardCharsets.UTF_8);
      byte[] key = ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(index).array();
      byte[] value = db.get(chunks, key);
      value[0] ^= 1;
      db.put(chunks, key, value);
      handles.forEach(ColumnFamilyHandle::close);
    }
  }
}
