package io.stevedore.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * What some files looked like at one moment: each one's size, modification time and identity, or
 * that it could not be looked at. Two stamps differ when a file was written, replaced (also by a
 * rename, or by the symlink swap of a Kubernetes secret volume, since links are followed) or
 * removed in between; a file replaced by an older copy of the same size still has another identity.
 * How the files a running server rereads on change (TLS certificates, the htpasswd file) are
 * watched.
 */
public record FileStamps(List<Stamp> stamps) {
  public FileStamps {
    stamps = List.copyOf(stamps);
  }

  /** One file's stamp; all fields null when it could not be looked at. */
  public record Stamp(Long size, FileTime modified, Object identity) {}

  public static FileStamps of(List<Path> files) {
    return new FileStamps(files.stream().map(FileStamps::stamp).toList());
  }

  private static Stamp stamp(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
    } catch (IOException e) {
      // Missing or unreadable: reading it will say which, if it is still so when it is read.
      return new Stamp(null, null, null);
    }
  }
}
