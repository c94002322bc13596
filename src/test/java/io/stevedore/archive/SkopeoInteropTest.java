package io.stevedore.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archives must work with the tool an air-gapped site already has: skopeo reads what the writer
 * produces, and the reader takes what skopeo's {@code oci-archive:} writes (blobs first, then
 * {@code index.json} and {@code oci-layout}, with directory entries).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SkopeoInteropTest {
  private static final String REF = "lab.example/team/app:1.0";

  private static Path skopeo;
  private static TestBlob layer;
  private static TestBlob config;
  private static TestBlob manifest;

  @TempDir Path dir;

  @BeforeAll
  static void findSkopeoAndBuildImage() throws IOException {
    skopeo =
        Optional.ofNullable(System.getenv("PATH")).stream()
            .flatMap(path -> List.of(path.split(":")).stream())
            .map(entry -> Path.of(entry, "skopeo"))
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(null);
    Assumptions.assumeTrue(skopeo != null, "skopeo is not installed: interoperability untested");

    byte[] layerTar = layerTar();
    layer = new TestBlob("application/vnd.oci.image.layer.v1.tar+gzip", gzip(layerTar));
    config =
        TestBlob.of(
            "application/vnd.oci.image.config.v1+json",
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digest.sha256(layerTar)
                + "\"]}}");
    manifest =
        TestBlob.of(
            MediaType.OCI_MANIFEST,
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaType.OCI_MANIFEST
                + "\",\"config\":"
                + descriptorJson(config)
                + ",\"layers\":["
                + descriptorJson(layer)
                + "]}");
  }

  @Test
  void skopeo_readsAnArchiveTheWriterWrote() throws Exception {
    Path archive = dir.resolve("bundle.tar");
    try (var out = Files.newOutputStream(archive);
        OciArchiveWriter writer = new OciArchiveWriter(out)) {
      for (TestBlob blob : List.of(layer, config, manifest)) {
        blob.addTo(writer);
      }
      writer.addImage(REF, manifest.descriptor());
    }
    Path copy = dir.resolve("copy");

    skopeo(
        "copy",
        "--policy",
        policy().toString(),
        "oci-archive:" + archive + ":" + REF,
        "oci:" + copy + ":x");
    String raw = skopeo("inspect", "--raw", "oci-archive:" + archive + ":" + REF);

    assertThat(raw).isEqualTo(new String(manifest.bytes(), StandardCharsets.UTF_8));
    for (TestBlob blob : List.of(layer, config, manifest)) {
      assertThat(copy.resolve("blobs/sha256/" + blob.digest().hex()))
          .hasBinaryContent(blob.bytes());
    }
  }

  @Test
  void reader_readsAnArchiveSkopeoWrote() throws Exception {
    Path layout = dir.resolve("layout");
    Files.createDirectories(layout.resolve("blobs/sha256"));
    for (TestBlob blob : List.of(layer, config, manifest)) {
      Files.write(layout.resolve("blobs/sha256/" + blob.digest().hex()), blob.bytes());
    }
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(layout.resolve("index.json"), RawTar.index(manifest.descriptor(), "x"));
    Path archive = dir.resolve("skopeo.tar");

    skopeo(
        "copy",
        "--policy",
        policy().toString(),
        "oci:" + layout + ":x",
        "oci-archive:" + archive + ":" + REF);

    Map<Digest, byte[]> received = new HashMap<>();
    List<ArchiveImage> images;
    try (InputStream in = Files.newInputStream(archive)) {
      images =
          new OciArchiveReader(in)
              .read((digest, size, content) -> received.put(digest, content.readAllBytes()));
    }
    assertThat(images).containsExactly(new ArchiveImage(Optional.of(REF), manifest.descriptor()));
    assertThat(received).hasSize(3);
    for (TestBlob blob : List.of(layer, config, manifest)) {
      assertThat(received.get(blob.digest())).isEqualTo(blob.bytes());
    }
  }

  private Path policy() throws IOException {
    return Files.writeString(
        dir.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
  }

  /** Runs skopeo with its temporary files under the test directory; returns stdout. */
  private String skopeo(String... args) throws IOException, InterruptedException {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path stderr = dir.resolve("skopeo.stderr");
    List<String> command = new ArrayList<>(List.of(skopeo.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    builder.environment().put("TMPDIR", tmp.toString());
    Process process = builder.start();
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    assertThat(exit).as("%s failed: %s", command, Files.readString(stderr)).isZero();
    return stdout;
  }

  private static byte[] layerTar() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(out);
    byte[] hello = "hello from the air gap\n".getBytes(StandardCharsets.UTF_8);
    tar.file("hello.txt", hello.length, o -> o.write(hello));
    tar.finish();
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }

  private static String descriptorJson(TestBlob blob) {
    Descriptor d = blob.descriptor();
    return "{\"mediaType\":\""
        + d.mediaType()
        + "\",\"digest\":\""
        + d.digest()
        + "\",\"size\":"
        + d.size()
        + "}";
  }
}
