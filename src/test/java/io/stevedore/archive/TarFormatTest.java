package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TarFormatTest {

  @Test
  void longAndNonAsciiNames_roundTripThroughPaxHeaders() throws IOException {
    String longName = "blobs/sha512/" + "ab".repeat(64);
    String unicode = "blobs/ünïcode";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter writer = new TarWriter(out);
    writer.file(longName, 3, o -> o.write("abc".getBytes(StandardCharsets.UTF_8)));
    writer.file(unicode, 0, o -> {});
    writer.finish();

    TarReader reader = new TarReader(new ByteArrayInputStream(out.toByteArray()));
    TarEntry first = reader.next();
    assertThat(first).isEqualTo(new TarEntry(longName, '0', 3));
    assertThat(reader.content().readAllBytes()).asString().isEqualTo("abc");
    assertThat(reader.next()).isEqualTo(new TarEntry(unicode, '0', 0));
    assertThat(reader.next()).isNull();
  }

  @Test
  void ustarPrefix_isJoinedToTheName() throws IOException {
    byte[] archive = new RawTar().file("blobs/sha256|" + "f".repeat(64), "x").end();

    assertThat(TarListing.names(archive)).containsExactly("blobs/sha256/" + "f".repeat(64));
  }

  @Test
  void paxRecord_lengthCountsItsOwnDigits() {
    assertThat(TarWriter.paxRecord("path", "a")).isEqualTo("9 path=a\n");
    // 1 + 4 + 1 + 92 + 1 = 99 characters, so 2 digits make 101, which needs 3 digits: 102.
    String record = TarWriter.paxRecord("path", "x".repeat(92));
    assertThat(record).startsWith("102 ").hasSize(102);
  }

  @Test
  void paxRecords_sizeBeyondTheOctalFieldIsRead_otherKeysIgnored() throws IOException {
    String records =
        TarWriter.paxRecord("mtime", "1704067200.5")
            + TarWriter.paxRecord("size", "8589934592")
            + TarWriter.paxRecord("path", "blobs/x");

    assertThat(PaxRecords.parse(records.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new PaxRecords("blobs/x", 8_589_934_592L));
  }

  @Test
  void paxRecords_wrongLength_isRejected() {
    assertThatThrownBy(() -> PaxRecords.parse("12 path=a\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("malformed PAX");
  }

  @Test
  void number_readsOctalAndBase256() throws IOException {
    byte[] header = new byte[TarFormat.BLOCK];
    System.arraycopy(" 0017\0".getBytes(StandardCharsets.US_ASCII), 0, header, 0, 6);
    assertThat(TarReader.number(header, 0, 6)).isEqualTo(15);

    byte[] base256 = new byte[12];
    base256[0] = (byte) 0x80;
    base256[7] = 0x02; // 2 << 32: a size too large for the 11 octal digits.
    assertThat(TarReader.number(base256, 0, 12)).isEqualTo(2L << 32);
  }
}
