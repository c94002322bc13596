package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tar reader of air-gap archives on any bytes: it ends, either with the entries or with an
 * {@link InvalidArchiveException}, never another exception; each entry's content is exactly its
 * size and together they fit in the input; skipping content instead of reading it changes nothing;
 * the regular files it read, written again by {@link TarWriter}, read back the same; and so does
 * the input itself written as a file.
 */
class TarReaderFuzzTest {

  /** What a reader made of an archive: its entries with their content, or the failure. */
  private record Outcome(List<TarEntry> entries, List<byte[]> contents, String failure) {}

  @FuzzTest
  void read(byte[] input) throws IOException {
    assertWrittenFileReadsBack(input);
    Outcome read = read(input, true);
    Outcome skipped = read(input, false);

    assertThat(skipped.entries()).isEqualTo(read.entries());
    assertThat(skipped.failure()).isEqualTo(read.failure());
    long total = 0;
    // A failure inside an entry's content leaves that entry without content.
    for (int i = 0; i < read.contents().size(); i++) {
      TarEntry entry = read.entries().get(i);
      assertThat(read.contents().get(i)).hasSize((int) entry.size());
      total += entry.size();
    }
    assertThat(total).isLessThanOrEqualTo(input.length);
    assertThat(read.entries().size()).isLessThanOrEqualTo(input.length / TarFormat.BLOCK);
    if (read.failure() == null) {
      assertRewritesTheSame(read);
    }
  }

  /** The input as a file (its first line the name, the rest the content) beside an empty one. */
  private static void assertWrittenFileReadsBack(byte[] input) throws IOException {
    int newline = 0;
    while (newline < input.length && input[newline] != '\n') {
      newline++;
    }
    String name = new String(input, 0, newline, StandardCharsets.UTF_8);
    byte[] content = Arrays.copyOfRange(input, Math.min(newline + 1, input.length), input.length);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    TarWriter writer = new TarWriter(archive);
    writer.file(name, content.length, out -> out.write(content));
    writer.file("empty", 0, out -> {});
    writer.finish();

    Outcome reread = read(archive.toByteArray(), true);
    assertThat(reread.failure()).isNull();
    assertThat(reread.entries())
        .containsExactly(
            new TarEntry(name, TarFormat.REGULAR, content.length),
            new TarEntry("empty", TarFormat.REGULAR, 0));
    assertThat(reread.contents().getFirst()).isEqualTo(content);
  }

  private static Outcome read(byte[] input, boolean readContent) throws IOException {
    TarReader tar = new TarReader(new ByteArrayInputStream(input));
    List<TarEntry> entries = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    try {
      for (TarEntry entry = tar.next(); entry != null; entry = tar.next()) {
        assertThat(entry.size()).isNotNegative();
        entries.add(entry);
        if (readContent) {
          contents.add(tar.content().readAllBytes());
        }
      }
    } catch (InvalidArchiveException e) {
      return new Outcome(entries, contents, e.getMessage());
    }
    return new Outcome(entries, contents, null);
  }

  private static void assertRewritesTheSame(Outcome read) throws IOException {
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    TarWriter writer = new TarWriter(archive);
    List<TarEntry> files = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < read.entries().size(); i++) {
      TarEntry entry = read.entries().get(i);
      if (entry.isRegularFile()) {
        byte[] content = read.contents().get(i);
        writer.file(entry.name(), content.length, out -> out.write(content));
        files.add(new TarEntry(entry.name(), TarFormat.REGULAR, content.length));
        contents.add(content);
      }
    }
    writer.finish();

    Outcome reread = read(archive.toByteArray(), true);
    assertThat(reread.failure()).isNull();
    assertThat(reread.entries()).isEqualTo(files);
    assertThat(reread.contents()).containsExactlyElementsOf(contents);
  }
}
