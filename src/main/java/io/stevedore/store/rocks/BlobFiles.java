package io.stevedore.store.rocks;

import com.sun.nio.file.ExtendedOpenOption;
import io.stevedore.oci.Digest;
import io.stevedore.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Logger;

/**
 * The bytes of blobs, one plain file each under {@code blobs/<algorithm>/<2 hex>/<hex>}; whether a
 * file is a committed blob is the business of the blob records in RocksDB, never of the file.
 *
 * <p>Why files and not RocksDB values: measured on a cold 335 MB fill, RocksDB spent a fifth of the
 * machine's CPU on its own copies of every byte (WAL, memtable, flush into a blob file) and on
 * CRC32C of each copy (rocksdbjni computes it in software), while the content is verified by its
 * digest anyway; a file is written once. A file's space comes back when it is deleted, not after a
 * compaction, and a full disk fails the write that hit it (RocksDB stalled a writer for minutes
 * when a flush failed for lack of space).
 */
final class BlobFiles {
  private static final Logger LOG = Logger.getLogger(BlobFiles.class.getName());

  /**
   * Blob files never take the last 64 MiB of the disk: while less is free, fills are refused before
   * their first byte (a clean 503 instead of a body cut off by ENOSPC), and RocksDB keeps room for
   * its records (a record write that hits ENOSPC turns the whole store read-only until its 16 MiB
   * write buffer fits again).
   */
  static final long RESERVE = 64L * 1024 * 1024;

  private final Path root;
  private final FileStore disk;
  private final int blockSize;
  // Direct writes need a buffer outside the heap; allocating one per fill makes the JVM zero it
  // and a GC free it. One per concurrent fill is kept.
  private final BlockingQueue<ByteBuffer> aligned = new ArrayBlockingQueue<>(16);
  private volatile boolean directRefused;

  /**
   * @param direct whether to write whole blocks past the page cache (O_DIRECT), where it works
   */
  BlobFiles(Path root, boolean direct) {
    this.root = root;
    this.directRefused = !direct;
    try {
      Files.createDirectories(root);
      disk = Files.getFileStore(root); // looked up once: it parses the mount table
      blockSize = (int) disk.getBlockSize();
    } catch (IOException e) {
      throw failure("cannot open the blob directory " + root, e);
    }
  }

  /**
   * Throws the out-of-space failure when fewer than {@code bytes} plus the reserve are free.
   *
   * @param what what needs the space, for the message
   */
  void requireSpace(long bytes, String what) {
    long free;
    try {
      free = disk.getUsableSpace();
    } catch (IOException e) {
      throw failure("cannot read the free space of " + root, e);
    }
    if (free - bytes < RESERVE) {
      throw failure(
          what,
          new IOException(
              "No space left on device: "
                  + free / (1024 * 1024)
                  + " MiB free, and blob files leave "
                  + RESERVE / (1024 * 1024)
                  + " MiB"));
    }
  }

  Path path(Digest digest) {
    String hex = digest.hex();
    return root.resolve(digest.algorithm().prefix()).resolve(hex.substring(0, 2)).resolve(hex);
  }

  /** A new, empty file for {@code digest}, replacing any earlier one. */
  BlobFile create(Digest digest) throws IOException {
    Path file = path(digest);
    Files.createDirectories(file.getParent());
    FileChannel buffered =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    FileChannel direct = null;
    if (!directRefused) {
      try {
        direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
      } catch (IOException | UnsupportedOperationException e) {
        refuseDirect(e);
      }
    }
    return new BlobFile(this, buffered, direct);
  }

  /** The file system's block size: direct writes are whole blocks at block offsets. */
  int blockSize() {
    return blockSize;
  }

  /** The file system refused direct I/O: every later blob file goes through the page cache. */
  void refuseDirect(Exception e) {
    if (!directRefused) {
      directRefused = true;
      LOG.info(
          () ->
              "the file system of "
                  + root
                  + " refuses direct I/O ("
                  + e
                  + "); blob files are written through the page cache");
    }
  }

  /**
   * A block-aligned buffer of at least {@code length} bytes outside the heap, for direct writes.
   */
  ByteBuffer takeAligned(int length) {
    ByteBuffer pooled = aligned.poll();
    if (pooled != null && pooled.capacity() >= length) {
      return pooled;
    }
    return ByteBuffer.allocateDirect(length + blockSize).alignedSlice(blockSize);
  }

  /** Returns a buffer from {@link #takeAligned}; null is ignored. */
  void giveAligned(ByteBuffer buffer) {
    if (buffer != null) {
      aligned.offer(buffer);
    }
  }

  /**
   * The failure of a blob file operation, saying so when the disk is full (Java reports ENOSPC only
   * by its message).
   */
  static StoreException failure(String what, IOException e) {
    String message = String.valueOf(e.getMessage());
    String advice =
        message.contains("No space left")
            ? " (the store is out of disk space: cached content is still served, and fills work"
                + " again once space is free)"
            : "";
    return new StoreException(what + ": " + message + advice, e);
  }

  /**
   * Puts the file's bytes and its entry in its directory on disk: a blob is recorded as committed
   * only after this, so a power loss can never leave a committed record over bytes that were lost.
   * (The entries of the prefix directories are not synced: a new one lost by a power loss loses
   * whole files, which the next open notices, dropping their records; the blobs are fetched again.)
   */
  void sync(BlobFile file, Digest digest) throws IOException {
    file.force();
    Path directory = path(digest).getParent();
    try (FileChannel entries = FileChannel.open(directory, StandardOpenOption.READ)) {
      entries.force(false);
    }
  }

  /**
   * Reads the file's bytes from {@code position} on, at most {@code limit} of them, into {@code
   * buffer}, and returns how many: fewer only at the end of the file. Empty when there is no file.
   *
   * @throws IllegalStateException when the file holds more of those bytes than {@code buffer} does
   */
  OptionalInt read(Digest digest, long position, int limit, byte[] buffer) {
    try (FileChannel channel = FileChannel.open(path(digest), StandardOpenOption.READ)) {
      long available = Math.max(0, Math.min(limit, channel.size() - position));
      if (available > buffer.length) {
        throw new IllegalStateException(
            available + " bytes of " + digest + " do not fit a buffer of " + buffer.length);
      }
      ByteBuffer target = ByteBuffer.wrap(buffer, 0, (int) available);
      while (target.hasRemaining() && channel.read(target, position + target.position()) >= 0) {
        // Until full; a file cut short meanwhile (a failed fill's) ends the loop at its end.
      }
      return OptionalInt.of(target.position());
    } catch (NoSuchFileException e) {
      return OptionalInt.empty();
    } catch (IOException e) {
      throw failure("cannot read blob " + digest, e);
    }
  }

  /** Deletes the file if there is one; its space is free once no reader holds it open. */
  void delete(Digest digest) {
    try {
      Files.deleteIfExists(path(digest));
    } catch (IOException e) {
      throw failure("cannot delete blob " + digest, e);
    }
  }

  /**
   * Keeps the files of the {@code committed} blobs (digest to size) and deletes every other file
   * under the blob directories: a fill a crash interrupted, a file of another size, a stray name.
   * One walk, with the sizes the walk read anyway: at start-up this is all the blob I/O there is.
   *
   * @return the committed blobs that have no file of their size (any such file is gone now)
   */
  Set<Digest> keepOnly(Map<Digest, Long> committed) {
    Set<Digest> missing = new HashSet<>(committed.keySet());
    for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
      Path directory = root.resolve(algorithm.prefix());
      if (!Files.isDirectory(directory)) {
        continue;
      }
      List<Path> strays = new ArrayList<>();
      try {
        Files.walkFileTree(
            directory,
            Set.of(),
            2,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile()) {
                  Digest digest = digestOf(algorithm, file);
                  if (digest != null
                      && Long.valueOf(attributes.size()).equals(committed.get(digest))) {
                    missing.remove(digest);
                  } else {
                    strays.add(file);
                  }
                }
                return FileVisitResult.CONTINUE;
              }
            });
        for (Path file : strays) {
          Files.deleteIfExists(file);
          LOG.info(() -> "deleted " + file + ": no committed blob of its name and size");
        }
      } catch (IOException e) {
        throw failure("cannot clean the blob files under " + directory, e);
      }
    }
    return missing;
  }

  /** The digest a file holds by its name and place, or null for a file that is no blob's. */
  private Digest digestOf(Digest.Algorithm algorithm, Path file) {
    try {
      Digest digest = Digest.parse(algorithm.prefix() + ":" + file.getFileName());
      return path(digest).equals(file) ? digest : null;
    } catch (RuntimeException notADigest) {
      return null;
    }
  }
}
