package io.stevedore.e2e;

import io.stevedore.e2e.OciImage.Blob;
import io.stevedore.e2e.OciImage.Layer;
import io.stevedore.e2e.OciImage.Manifest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Builds test images as OCI image-layout directories without any image builder. Content comes from
 * seeded random numbers, so every build gives the same digests; images are therefore cached under
 * {@code target/e2e-images} and built once per build, not once per test class.
 *
 * <p>Layers are gzip'd tars; each config lists the sha256 of the <em>uncompressed</em> tars as
 * {@code rootfs.diff_ids}, which skopeo and containerd verify.
 */
public final class OciImages {
  /** Bump when the generator changes, so stale cached images are not reused. */
  private static final String GENERATION = "v1";

  /** 100 MiB of random bytes: the gzip'd layer is a little over 100 MB. */
  public static final long BIG_LAYER_BYTES = 100L * 1024 * 1024;

  private static final String METADATA = "stevedore-image.txt";
  private static final String CREATED = "2024-01-01T00:00:00Z";

  private final Path cacheRoot;

  public OciImages(Path cacheRoot) {
    this.cacheRoot = cacheRoot;
  }

  /** Images cached in {@code target/e2e-images} (Maven runs tests in the project directory). */
  public static OciImages shared() {
    return new OciImages(Path.of("target", "e2e-images").toAbsolutePath());
  }

  /** (a) A single linux/amd64 image with three small layers, tag {@code 1.0}. */
  public OciImage small() {
    return cached("small", image("1.0", List.of(platform("linux/amd64", 11, 3, 48_000))));
  }

  /** (b) An OCI index for linux/amd64 and linux/arm64, each with its own config and layers. */
  public OciImage multiArch() {
    return cached(
        "multiarch",
        image(
            "2.0",
            List.of(
                platform("linux/amd64", 21, 2, 32_000), platform("linux/arm64", 22, 2, 32_000))));
  }

  /**
   * (d) linux/amd64 with six layers of three random files up to {@code maxFileBytes} each (about 70
   * MB in all with 8 MiB): a multi-layer pull whose blobs a balancer can spread over several nodes.
   */
  public OciImage layered(int maxFileBytes) {
    return cached(
        "layered-" + maxFileBytes,
        image("4.0", List.of(platform("linux/amd64", 41, 6, maxFileBytes))));
  }

  /** (c) linux/amd64 with one layer of {@link #BIG_LAYER_BYTES} incompressible bytes. */
  public OciImage big() {
    return big(BIG_LAYER_BYTES);
  }

  /** Like {@link #big()} with a layer file of {@code layerBytes} random bytes (stored, no gain). */
  public OciImage big(long layerBytes) {
    return cached(
        "big-" + layerBytes,
        image("3.0", List.of(new PlatformSpec("linux/amd64", 31, 1, 0, layerBytes))));
  }

  /** What one platform's image consists of; {@code bigFileBytes > 0} makes one huge file layer. */
  private record PlatformSpec(
      String platform, long seed, int layers, int maxFileBytes, long bigFileBytes) {}

  private static PlatformSpec platform(String platform, long seed, int layers, int maxFileBytes) {
    return new PlatformSpec(platform, seed, layers, maxFileBytes, 0);
  }

  private interface Builder {
    OciImage build(Path layout) throws IOException;
  }

  private static Builder image(String tag, List<PlatformSpec> platforms) {
    return layout -> {
      Files.createDirectories(layout.resolve("blobs/sha256"));
      Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      List<Manifest> manifests = new ArrayList<>();
      for (PlatformSpec spec : platforms) {
        manifests.add(buildManifest(layout, spec));
      }
      Blob top;
      if (platforms.size() == 1) {
        top = manifests.getFirst().manifest();
      } else {
        String entries =
            manifests.stream()
                .map(
                    m ->
                        "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d,\"platform\":{\"architecture\":\"%s\",\"os\":\"%s\"}}"
                            .formatted(
                                m.manifest().mediaType(),
                                m.manifest().digest(),
                                m.manifest().size(),
                                m.architecture(),
                                m.os()))
                .collect(Collectors.joining(","));
        String index =
            "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[%s]}"
                .formatted(OciImage.INDEX, entries);
        top = writeJsonBlob(layout, OciImage.INDEX, index);
      }
      Files.writeString(
          layout.resolve("index.json"),
          "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d,\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}}]}"
              .formatted(top.mediaType(), top.digest(), top.size(), tag));
      return new OciImage(layout, tag, top, List.copyOf(manifests));
    };
  }

  private static Manifest buildManifest(Path layout, PlatformSpec spec) throws IOException {
    List<Layer> layers = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(spec.seed());
    for (int i = 0; i < spec.layers(); i++) {
      layers.add(writeLayer(layout, spec, i, random.split()));
    }
    String os = spec.platform().substring(0, spec.platform().indexOf('/'));
    String arch = spec.platform().substring(spec.platform().indexOf('/') + 1);
    String diffIds =
        layers.stream().map(l -> "\"" + l.diffId() + "\"").collect(Collectors.joining(","));
    String config =
        ("{\"architecture\":\"%s\",\"os\":\"%s\",\"created\":\"%s\","
                + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/true\"],"
                + "\"Labels\":{\"io.stevedore.e2e.seed\":\"%d\"}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}")
            .formatted(arch, os, CREATED, spec.seed(), diffIds);
    Blob configBlob = writeJsonBlob(layout, OciImage.CONFIG, config);
    String layerJson =
        layers.stream()
            .map(
                l ->
                    "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}"
                        .formatted(l.blob().mediaType(), l.blob().digest(), l.blob().size()))
            .collect(Collectors.joining(","));
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d},\"layers\":[%s]}"
            .formatted(
                OciImage.MANIFEST,
                configBlob.mediaType(),
                configBlob.digest(),
                configBlob.size(),
                layerJson);
    Blob manifestBlob = writeJsonBlob(layout, OciImage.MANIFEST, manifest);
    return new Manifest(spec.platform(), manifestBlob, configBlob, List.copyOf(layers));
  }

  /**
   * Streams one layer to disk: tar, hashed for the diff_id, gzip'd, hashed again for the blob
   * digest. Nothing but a 1 MiB buffer is held in memory, whatever the layer size.
   */
  private static Layer writeLayer(
      Path layout, PlatformSpec spec, int index, SplittableRandom random) throws IOException {
    Path tmp = Files.createTempFile(layout.resolve("blobs"), "layer", ".tmp");
    MessageDigest diffId = sha256();
    MessageDigest blobDigest = sha256();
    // Random bytes do not compress: storing them (level 0) is much faster than deflating and
    // gives the same size; small text-free layers use the fastest real compression.
    int level = spec.bigFileBytes() > 0 ? Deflater.NO_COMPRESSION : Deflater.BEST_SPEED;
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
        DigestOutputStream compressed = new DigestOutputStream(file, blobDigest);
        GZIPOutputStream gzip = new LeveledGzip(compressed, level);
        DigestOutputStream tarBytes = new DigestOutputStream(gzip, diffId)) {
      TarWriter tar = new TarWriter(tarBytes);
      String dir = "layer" + index;
      tar.directory(dir);
      if (spec.bigFileBytes() > 0) {
        tar.beginFile(dir + "/big.bin", spec.bigFileBytes());
        byte[] buffer = new byte[1 << 20];
        for (long left = spec.bigFileBytes(); left > 0; ) {
          int n = (int) Math.min(buffer.length, left);
          fill(random, buffer, n);
          tar.data(buffer, 0, n);
          left -= n;
        }
      } else {
        for (int f = 0; f < 3; f++) {
          byte[] content = new byte[1 + random.nextInt(spec.maxFileBytes())];
          fill(random, content, content.length);
          tar.file(dir + "/file" + f + ".bin", content);
        }
        tar.file(
            dir + "/README",
            ("layer " + index + " of " + spec + "\n").getBytes(StandardCharsets.UTF_8));
      }
      tar.close();
    }
    Blob blob = moveIntoPlace(layout, tmp, OciImage.LAYER, blobDigest);
    return new Layer(blob, "sha256:" + HexFormat.of().formatHex(diffId.digest()));
  }

  /** Fills {@code n} bytes from 64-bit random numbers: several times faster than nextBytes. */
  private static void fill(SplittableRandom random, byte[] buffer, int n) {
    ByteBuffer view = ByteBuffer.wrap(buffer, 0, n).order(ByteOrder.LITTLE_ENDIAN);
    while (view.remaining() >= Long.BYTES) {
      view.putLong(random.nextLong());
    }
    while (view.hasRemaining()) {
      view.put((byte) random.nextInt());
    }
  }

  private static Blob writeJsonBlob(Path layout, String mediaType, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    MessageDigest digest = sha256();
    digest.update(bytes);
    String hex = HexFormat.of().formatHex(digest.digest());
    Files.write(layout.resolve("blobs/sha256").resolve(hex), bytes);
    return new Blob(mediaType, "sha256:" + hex, bytes.length);
  }

  private static Blob moveIntoPlace(Path layout, Path tmp, String mediaType, MessageDigest digest)
      throws IOException {
    String hex = HexFormat.of().formatHex(digest.digest());
    long size = Files.size(tmp);
    Files.move(
        tmp, layout.resolve("blobs/sha256").resolve(hex), StandardCopyOption.REPLACE_EXISTING);
    return new Blob(mediaType, "sha256:" + hex, size);
  }

  /** The JDK's GZIPOutputStream has no level parameter; its deflater is protected. */
  private static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, 1 << 16);
      def.setLevel(level);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the cached image {@code name}, building it first if needed. Building happens in a
   * private directory that is renamed into place, so a half-built image (a killed build, two JVMs
   * at once) is never mistaken for a finished one.
   */
  private synchronized OciImage cached(String name, Builder builder) {
    Path dir = cacheRoot.resolve(name + "-" + GENERATION);
    try {
      if (Files.exists(dir.resolve(METADATA))) {
        return readMetadata(dir);
      }
      Files.createDirectories(cacheRoot);
      Path work = Files.createTempDirectory(cacheRoot, name + ".building-");
      long startNanos = System.nanoTime();
      OciImage built = builder.build(work);
      writeMetadata(work, built);
      makeReadableByAll(work);
      System.out.printf(
          "built test image %s (%d blob bytes) in %d ms%n",
          name, built.blobBytes(), (System.nanoTime() - startNanos) / 1_000_000);
      try {
        Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Someone else finished first; theirs is identical (deterministic content).
        deleteTree(work);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IllegalStateException("cache dir must be on one file system: " + cacheRoot, e);
      }
      return readMetadata(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build test image " + name, e);
    }
  }

  private static void writeMetadata(Path layout, OciImage image) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("tag " + image.tag());
    lines.add("top " + blobLine(image.top()));
    for (Manifest m : image.manifests()) {
      lines.add("manifest " + m.platform() + " " + blobLine(m.manifest()));
      lines.add("config " + blobLine(m.config()));
      for (Layer l : m.layers()) {
        lines.add("layer " + blobLine(l.blob()) + " " + l.diffId());
      }
    }
    Files.write(layout.resolve(METADATA), lines);
  }

  private static String blobLine(Blob b) {
    return b.mediaType() + " " + b.digest() + " " + b.size();
  }

  private static OciImage readMetadata(Path layout) throws IOException {
    String tag = null;
    Blob top = null;
    List<Manifest> manifests = new ArrayList<>();
    String platform = null;
    Blob manifest = null;
    Blob config = null;
    List<Layer> layers = new ArrayList<>();
    for (String line : Files.readAllLines(layout.resolve(METADATA))) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "tag" -> tag = f[1];
        case "top" -> top = blob(f, 1);
        case "manifest" -> {
          if (platform != null) {
            manifests.add(new Manifest(platform, manifest, config, List.copyOf(layers)));
          }
          platform = f[1];
          manifest = blob(f, 2);
          config = null;
          layers.clear();
        }
        case "config" -> config = blob(f, 1);
        case "layer" -> layers.add(new Layer(blob(f, 1), f[4]));
        default -> throw new IOException("bad line in " + layout + ": " + line);
      }
    }
    manifests.add(new Manifest(platform, manifest, config, List.copyOf(layers)));
    return new OciImage(layout, tag, top, List.copyOf(manifests));
  }

  private static Blob blob(String[] f, int at) {
    return new Blob(f[at], f[at + 1], Long.parseLong(f[at + 2]));
  }

  /**
   * Temp files and dirs are created owner-only; other users (a registry or web server run as
   * another user, a developer without root) should be able to read the layout.
   */
  private static void makeReadableByAll(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.toList()) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
