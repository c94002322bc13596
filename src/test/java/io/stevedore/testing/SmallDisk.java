package io.stevedore.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted at a directory, so a test can run the store into a real ENOSPC. Needs root
 * (CI runs as root); elsewhere the test is skipped through a JUnit assumption, not failed. A
 * ballast file takes up space and gives it back, as another tenant of the disk would.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path mountPoint;
  private final Path ballast;

  private SmallDisk(Path mountPoint) {
    this.mountPoint = mountPoint;
    this.ballast = mountPoint.resolve("ballast");
  }

  /** Mounts a tmpfs of {@code megabytes} at {@code mountPoint}, or skips the calling test. */
  public static SmallDisk mount(Path mountPoint, int megabytes) {
    try {
      Files.createDirectories(mountPoint);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String result =
        run(
            List.of(
                "mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", "" + mountPoint));
    Assumptions.assumeTrue(
        result.isEmpty(),
        "cannot mount a " + megabytes + " MB tmpfs (needs root), skipping: " + result);
    return new SmallDisk(mountPoint);
  }

  public Path path() {
    return mountPoint;
  }

  /** Bytes free on the small disk. */
  public long free() {
    try {
      FileStore store = Files.getFileStore(mountPoint);
      return store.getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fills the disk with a ballast file until only {@code leaveFree} bytes are free. */
  public void fillLeaving(long leaveFree) {
    long size = Math.max(0, free() - leaveFree);
    try (RandomAccessFile file = new RandomAccessFile(ballast.toFile(), "rw")) {
      // Real pages, not a sparse file: tmpfs counts only what is written.
      byte[] block = new byte[1024 * 1024];
      long written = file.length();
      file.seek(written);
      for (long left = size; left > 0; left -= block.length) {
        file.write(block, 0, (int) Math.min(block.length, left));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the ballast: the space comes back. */
  public void freeBallast() {
    try {
      Files.deleteIfExists(ballast);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    String result = run(List.of("umount", "-l", mountPoint.toString()));
    if (!result.isEmpty()) {
      throw new IllegalStateException("cannot unmount " + mountPoint + ": " + result);
    }
  }

  /** Runs a command; empty when it succeeded, else its output and status. */
  private static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return String.join(" ", command) + " timed out";
      }
      String output = new String(process.getInputStream().readAllBytes()).strip();
      return process.exitValue() == 0
          ? ""
          : String.join(" ", command) + " exited " + process.exitValue() + ": " + output;
    } catch (IOException e) {
      return String.join(" ", command) + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
