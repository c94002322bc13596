package io.stevedore.e2e;

import static io.stevedore.e2e.RegistryHttp.ACCEPT_ALL_MANIFESTS;
import static io.stevedore.e2e.RegistryHttp.assertError;
import static io.stevedore.e2e.RegistryHttp.exchange;
import static io.stevedore.e2e.RegistryHttp.header;
import static io.stevedore.e2e.RegistryHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.e2e.Skopeo.CopyOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real clients (skopeo, containerd) pull through the real mirror jar from a real upstream registry
 * (docker-registry), everything on 127.0.0.1. The upstream's access log is the witness: it shows
 * what the mirror asked, so "served from the cache" means "the upstream saw nothing".
 *
 * <p>One registry, one set of pushed images and one mirror serve the whole class; the tests build
 * on each other (first pull fills the cache, the second must not reach upstream, the restart needs
 * a filled cache), hence the fixed order. The restart with the upstream gone runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PullThroughIT {
  private static final Pattern DIGEST_FIELD =
      Pattern.compile("\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})\"");
  private static final Pattern HEX_NAME = Pattern.compile("[0-9a-f]{64}");

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static StevedoreProcess mirror;
  private static Skopeo skopeo;
  private static OciImages images;
  private static List<Pushed> pushed;
  private static Pushed small;
  private static Pushed smallV2s2;
  private static Pushed multiArch;
  private static Pushed big;
  private static final Map<Pushed, String> upstreamDigests = new HashMap<>();

  /**
   * An image as pushed upstream: the repository and tag, the layout it came from, and how it must
   * be copied (OCI kept byte for byte, or the Docker schema 2 conversion the registry stored).
   */
  private record Pushed(String repoTag, OciImage image, boolean v2s2) {
    String repository() {
      return repoTag.substring(0, repoTag.indexOf(':'));
    }

    String tag() {
      return repoTag.substring(repoTag.indexOf(':') + 1);
    }

    CopyOption[] pullOptions() {
      return image.isIndex() ? new CopyOption[] {CopyOption.ALL} : new CopyOption[0];
    }
  }

  @BeforeAll
  static void startUpstreamPushImagesStartMirror() {
    images = OciImages.shared();
    registry = lab.registry();
    skopeo = lab.skopeo();
    small = new Pushed("e2e/small:1.0", images.small(), false);
    smallV2s2 = new Pushed("e2e/small-v2s2:1.0", images.small(), true);
    multiArch = new Pushed("e2e/multi:2.0", images.multiArch(), false);
    big = new Pushed("e2e/big:3.0", images.big(), false);
    pushed = List.of(small, smallV2s2, multiArch, big);
    for (Pushed p : pushed) {
      List<CopyOption> options = new ArrayList<>();
      if (p.v2s2()) {
        options.add(CopyOption.V2S2);
      }
      if (p.image().isIndex()) {
        options.add(CopyOption.ALL);
      }
      lab.push(p.image(), p.repoTag(), options.toArray(new CopyOption[0]));
      upstreamDigests.put(p, skopeo.manifestDigest(direct(p)));
    }
    assertThat(upstreamDigest(small)).isEqualTo(small.image().digest());
    assertThat(upstreamDigest(multiArch)).isEqualTo(multiArch.image().digest());
    assertThat(upstreamDigest(big)).isEqualTo(big.image().digest());
    assertThat(upstreamDigest(smallV2s2)).isNotEqualTo(small.image().digest());
    mirror =
        lab.mirror(
            "stevedore",
            config -> config.upstream(lab.upstream().aliases("lab.example").tagFreshness("5m")));
  }

  // ---------------------------------------------------------------- 1. first pull through mirror

  @Test
  @Order(10)
  void skopeoPullsEveryImageThroughTheMirrorWithTheUpstreamsDigests() throws IOException {
    RegistryProcess.Mark beforePulls = registry.mark();
    for (Pushed p : pushed) {
      Path dest = lab.path("first-" + p.repository().replace('/', '-'));
      String digest = pull(p, dest);
      assertThat(digest)
          .as("digest of %s pulled through the mirror", p.repoTag())
          .isEqualTo(upstreamDigest(p));
      assertThat(pulledBlobs(dest))
          .as("blobs of %s pulled through the mirror", p.repoTag())
          .containsExactlyInAnyOrderElementsOf(expectedBlobs(p, dest));
      deleteTree(dest);
    }
    // Every blob was fetched from upstream exactly once, whichever image (repository) needed it
    // first: small and small-v2s2 share their layers.
    List<AccessLogEntry> firstPulls = registry.requestsSince(beforePulls);
    Set<String> allBlobs =
        pushed.stream()
            .flatMap(p -> p.image().blobDigests().stream())
            .collect(Collectors.toCollection(LinkedHashSet::new));
    for (String blob : allBlobs) {
      assertThat(firstPulls)
          .as("upstream GETs of blob %s during the first pulls", blob)
          .filteredOn(e -> e.matches("GET", "/v2/.+/blobs/" + Pattern.quote(blob)))
          .hasSize(1);
    }
    // The index's platform manifests are fetched by digest, once each.
    for (OciImage.Manifest m : multiArch.image().manifests()) {
      assertThat(firstPulls)
          .as("upstream requests of manifest %s during the first pulls", m.manifest().digest())
          .filteredOn(
              e -> e.matches("GET", "/v2/.+/manifests/" + Pattern.quote(m.manifest().digest())))
          .hasSize(1);
    }

    // skopeo's view of the manifests, through the mirror and directly.
    for (Pushed p : pushed) {
      String viaMirror = skopeo.manifestDigest(viaMirror(p));
      assertThat(viaMirror)
          .as("skopeo inspect --raw of %s", p.repoTag())
          .isEqualTo(skopeo.manifestDigest(direct(p)));
      if (!p.v2s2()) {
        assertThat(viaMirror).isEqualTo(p.image().digest());
      }
    }
  }

  @Test
  @Order(11)
  void manifestAndBlobHeadersThroughTheMirrorEqualTheUpstreams() {
    for (Pushed p : pushed) {
      String digest = upstreamDigest(p);
      for (String reference : List.of(p.tag(), digest)) {
        String path = "/v2/" + p.repository() + "/manifests/" + reference;
        for (String method : List.of("HEAD", "GET")) {
          HttpResponse<byte[]> up =
              send(method, registry.url().resolve(path), ACCEPT_ALL_MANIFESTS);
          HttpResponse<byte[]> via = send(method, mirror.url().resolve(path), ACCEPT_ALL_MANIFESTS);
          String what = method + " " + path;
          assertThat(up.statusCode()).as("upstream " + what).isEqualTo(200);
          assertThat(via.statusCode()).as("mirror " + what).isEqualTo(200);
          assertThat(header(via, "Docker-Content-Digest"))
              .as(what)
              .isEqualTo(header(up, "Docker-Content-Digest"))
              .isEqualTo(digest);
          assertThat(header(via, "Content-Length"))
              .as(what)
              .isEqualTo(header(up, "Content-Length"));
          assertThat(header(via, "Content-Type")).as(what).isEqualTo(header(up, "Content-Type"));
          if (method.equals("GET")) {
            assertThat(via.body()).as(what).isEqualTo(up.body());
            assertThat(Skopeo.sha256(via.body())).as(what).isEqualTo(digest);
            assertThat(Long.parseLong(header(via, "Content-Length"))).isEqualTo(via.body().length);
          }
        }
      }
      // A blob (cached by the pulls above): same digest and length as upstream on HEAD.
      String layer = p.image().layerDigests().getFirst();
      String blobPath = "/v2/" + p.repository() + "/blobs/" + layer;
      HttpResponse<byte[]> up = send("HEAD", registry.url().resolve(blobPath), null);
      HttpResponse<byte[]> via = send("HEAD", mirror.url().resolve(blobPath), null);
      assertThat(via.statusCode()).as("mirror HEAD " + blobPath).isEqualTo(200);
      assertThat(header(via, "Docker-Content-Digest")).isEqualTo(layer);
      assertThat(header(via, "Content-Length"))
          .as("HEAD " + blobPath)
          .isEqualTo(header(up, "Content-Length"))
          .isEqualTo(String.valueOf(size(p.image().blobPath(layer))));
    }
  }

  // ---------------------------------------------------------------- 2. second pull: cache only

  @Test
  @Order(20)
  void secondPullOfEveryImageReachesNoUpstream() throws IOException {
    RegistryProcess.Mark beforeSecond = registry.mark();
    for (Pushed p : pushed) {
      Path dest = lab.path("second-" + p.repository().replace('/', '-'));
      assertThat(pull(p, dest)).as("second pull of %s", p.repoTag()).isEqualTo(upstreamDigest(p));
      assertThat(pulledBlobs(dest)).containsExactlyInAnyOrderElementsOf(expectedBlobs(p, dest));
      deleteTree(dest);
    }
    // Within the tag freshness (5m) not even a tag HEAD may reach upstream; no blob, no manifest.
    assertThat(registry.requestsSince(beforeSecond))
        .as("upstream requests of the second pulls")
        .isEmpty();
  }

  // ---------------------------------------------------------------- 3. containerd via hosts.toml

  @Test
  @Order(30)
  void containerdPullsThroughTheMirrorByHostsToml() throws IOException {
    // The registry host is made up; its server is a closed port, so only the mirror can answer.
    Path hosts = lab.hostsDir("lab.example", mirror.url());
    // An image the mirror has never seen, so its first pull must go upstream (via the mirror).
    OciImage freshImage = images.big(1024 * 1024);
    Pushed fresh = new Pushed("e2e/ctr-fresh:3.0", freshImage, false);
    lab.push(freshImage, fresh.repoTag());

    Containerd containerd = lab.containerd();
    // Cached images: containerd downloads every blob, the upstream sees nothing.
    for (Pushed p : List.of(small, multiArch)) {
      RegistryProcess.Mark mark = registry.mark();
      Containerd.Pull pull = containerd.pull(hosts, "lab.example/" + p.repoTag());
      assertThat(pull.digest())
          .as("containerd digest of %s", p.repoTag())
          .isEqualTo(p.image().digest());
      OciImage.Manifest amd64 = p.image().manifest("linux/amd64");
      List<String> expected = new ArrayList<>();
      expected.add(p.image().digest());
      expected.add(amd64.manifest().digest());
      expected.add(amd64.config().digest());
      amd64.layers().forEach(l -> expected.add(l.blob().digest()));
      assertThat(containerd.content(pull.namespace()))
          .as("content containerd downloaded for %s", p.repoTag())
          .containsAll(expected);
      assertThat(registry.requestsSince(mark))
          .as("upstream requests while containerd pulled cached %s", p.repoTag())
          .isEmpty();
    }

    // A miss: the upstream sees the mirror's requests (no ns=, not containerd), once each.
    RegistryProcess.Mark beforeFresh = registry.mark();
    Containerd.Pull first = containerd.pull(hosts, "lab.example/" + fresh.repoTag());
    assertThat(first.digest()).isEqualTo(freshImage.digest());
    List<AccessLogEntry> missRequests = registry.requestsSince(beforeFresh);
    assertThat(missRequests)
        .as("upstream requests for a miss")
        .isNotEmpty()
        .allSatisfy(
            e -> {
              assertThat(e.query()).as("query of %s", e).doesNotContain("ns=");
              assertThat(e.userAgent()).as("user agent of %s", e).doesNotContain("containerd");
            });
    for (String blob : freshImage.blobDigests()) {
      assertThat(missRequests)
          .filteredOn(e -> e.matches("GET", "/v2/e2e/ctr-fresh/blobs/" + Pattern.quote(blob)))
          .as("upstream GETs of %s", blob)
          .hasSize(1);
    }
    assertThat(missRequests)
        .filteredOn(e -> e.matches("GET", "/v2/e2e/ctr-fresh/manifests/3\\.0"))
        .hasSize(1);

    // Pulled again into a namespace that has nothing: all from the mirror's cache.
    RegistryProcess.Mark beforeAgain = registry.mark();
    Containerd.Pull again = containerd.pull(hosts, "lab.example/" + fresh.repoTag());
    assertThat(again.namespace()).isNotEqualTo(first.namespace());
    assertThat(again.digest()).isEqualTo(freshImage.digest());
    assertThat(containerd.content(again.namespace())).containsAll(freshImage.blobDigests());
    assertThat(registry.requestsSince(beforeAgain)).isEmpty();
  }

  // ---------------------------------------------------------------- 5. Range requests

  @Test
  @Order(40)
  void rangeOfACachedBlobIs206WithTheRightBytes() throws IOException {
    RegistryProcess.Mark mark = registry.mark();
    OciImage.Blob smallLayer = small.image().manifests().getFirst().layers().getFirst().blob();
    assertRange(small, smallLayer, 100, 1099);
    assertRange(small, smallLayer, smallLayer.size() - 10, smallLayer.size() - 1);
    OciImage.Blob bigLayer = big.image().manifests().getFirst().layers().getFirst().blob();
    long middle = bigLayer.size() / 2 + 12_345;
    assertRange(big, bigLayer, middle, middle + 3 * 65_536 + 7);
    // Past the end: 416 with the blob's length (RFC 9110), as OCI error JSON.
    String path = "/v2/" + small.repository() + "/blobs/" + smallLayer.digest();
    HttpResponse<byte[]> beyond =
        exchange(
            HttpRequest.newBuilder(mirror.url().resolve(path))
                .header("Range", "bytes=" + smallLayer.size() + "-")
                .GET());
    assertError(beyond, 416, "RANGE_INVALID");
    assertThat(header(beyond, "Content-Range"))
        .as("Content-Range of a 416")
        .isEqualTo("bytes */" + smallLayer.size());
    assertThat(registry.requestsSince(mark)).as("upstream requests for cached ranges").isEmpty();
  }

  @Test
  @Order(41)
  void rangeOfAnUncachedBlobIs206WithTheRightBytes() throws IOException {
    OciImage coldImage = images.big(3 * 1024 * 1024);
    Pushed cold = new Pushed("e2e/range-cold:3.0", coldImage, false);
    lab.push(coldImage, cold.repoTag());
    OciImage.Blob layer = coldImage.manifests().getFirst().layers().getFirst().blob();

    RegistryProcess.Mark mark = registry.mark();
    assertRange(cold, layer, 2_000_000, 2_000_999);
    // The whole blob afterwards: complete and correct, and the range's fill was the only fetch.
    HttpResponse<byte[]> whole =
        send("GET", mirror.url().resolve("/v2/e2e/range-cold/blobs/" + layer.digest()), null);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(Skopeo.sha256(whole.body())).isEqualTo(layer.digest());
    assertThat(registry.requestsSince(mark))
        .filteredOn(e -> e.matches("GET", "/v2/.+/blobs/" + Pattern.quote(layer.digest())))
        .as("upstream GETs of the cold blob")
        .hasSize(1);
  }

  private static void assertRange(Pushed p, OciImage.Blob blob, long first, long last)
      throws IOException {
    String path = "/v2/" + p.repository() + "/blobs/" + blob.digest();
    HttpResponse<byte[]> response =
        exchange(
            HttpRequest.newBuilder(mirror.url().resolve(path))
                .header("Range", "bytes=" + first + "-" + last)
                .GET());
    String what = "GET " + path + " Range bytes=" + first + "-" + last;
    assertThat(response.statusCode()).as(what).isEqualTo(206);
    assertThat(header(response, "Content-Range"))
        .as(what)
        .isEqualTo("bytes " + first + "-" + last + "/" + blob.size());
    assertThat(header(response, "Content-Length"))
        .as(what)
        .isEqualTo(String.valueOf(last - first + 1));
    byte[] expected = readSlice(p.image().blobPath(blob.digest()), first, last);
    assertThat(response.body()).as(what).hasSize(expected.length).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- 6. error shapes

  @Test
  @Order(50)
  void errorsAreOciJsonWithTheRightStatus() {
    String manifests = "/v2/" + small.repository() + "/manifests/";
    String blobs = "/v2/" + small.repository() + "/blobs/";

    assertError(
        send("GET", mirror.url().resolve(manifests + "no-such-tag"), ACCEPT_ALL_MANIFESTS),
        404,
        "MANIFEST_UNKNOWN");
    assertError(
        send("GET", mirror.url().resolve(blobs + "sha256:not-a-digest"), null),
        400,
        "DIGEST_INVALID");
    assertError(
        send("GET", mirror.url().resolve(blobs + "sha256:" + "ab".repeat(31)), null),
        400,
        "DIGEST_INVALID");
    assertError(
        send("GET", mirror.url().resolve(manifests + "sha256:xyz"), null), 400, "DIGEST_INVALID");
    assertError(
        exchange(
            HttpRequest.newBuilder(mirror.url().resolve(manifests + small.tag()))
                .header("Content-Type", OciImage.MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))),
        405,
        "UNSUPPORTED");
    assertError(
        exchange(
            HttpRequest.newBuilder(mirror.url().resolve(blobs + "uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())),
        405,
        "UNSUPPORTED");

    RegistryProcess.Mark mark = registry.mark();
    assertError(
        send(
            "GET",
            mirror.url().resolve(manifests + small.tag() + "?ns=unknown.example"),
            ACCEPT_ALL_MANIFESTS),
        404,
        "NAME_UNKNOWN");
    assertError(
        send(
            "GET",
            mirror
                .url()
                .resolve(blobs + big.image().layerDigests().getFirst() + "?ns=unknown.example"),
            null),
        404,
        "NAME_UNKNOWN");
    assertThat(registry.requestsSince(mark)).as("upstream requests for an unknown ns").isEmpty();
  }

  // ---------------------------------------------------------------- 4. restart without upstream

  @Test
  @Order(100)
  void restartedMirrorServesCachedImagesWithTheUpstreamDown() throws IOException {
    String smallDigest = upstreamDigest(small);
    String bigDigest = upstreamDigest(big);
    long pidBefore = mirror.pid();
    registry.stop();
    try {
      assertThat(Daemons.status(registry.url().resolve("/v2/")))
          .as("upstream is down")
          .isEqualTo(-1);
      mirror.stop();
      mirror.start();
      assertThat(mirror.pid()).isNotEqualTo(pidBefore);
      for (Pushed p : List.of(small, big)) {
        Path dest = lab.path("restarted-" + p.repository().replace('/', '-'));
        assertThat(pull(p, dest))
            .as("pull of %s after restart, upstream down", p.repoTag())
            .isEqualTo(p == small ? smallDigest : bigDigest);
        assertThat(pulledBlobs(dest)).containsExactlyInAnyOrderElementsOf(expectedBlobs(p, dest));
        deleteTree(dest);
      }
      // What the cache does not hold fails fast and clearly, instead of hanging.
      HttpResponse<byte[]> uncached =
          send(
              "GET",
              mirror.url().resolve("/v2/e2e/never-pulled/manifests/1.0"),
              ACCEPT_ALL_MANIFESTS);
      assertError(uncached, 503, "UNAVAILABLE");
    } finally {
      registry.start();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** {@code 127.0.0.1:<registry>/repo:tag}. */
  private static String direct(Pushed p) {
    return registry.hostPort() + "/" + p.repoTag();
  }

  /** {@code 127.0.0.1:<stevedore>/repo:tag}: the default upstream is the registry. */
  private static String viaMirror(Pushed p) {
    return mirror.hostPort() + "/" + p.repoTag();
  }

  /**
   * The digest the upstream serves for the tag: asked once with skopeo right after the push, before
   * any test counts upstream requests. For OCI pushes it is the image's own digest; the Docker
   * schema 2 push has the converted manifest's.
   */
  private static String upstreamDigest(Pushed p) {
    return upstreamDigests.get(p);
  }

  /**
   * Copies an image from the mirror: OCI images into an OCI layout with digests preserved, the
   * Docker schema 2 image into a {@code dir:} that keeps its manifest bytes. Returns the digest of
   * the top manifest (or index).
   */
  private static String pull(Pushed p, Path dest) {
    if (p.v2s2()) {
      return skopeo.pullToDir(viaMirror(p), dest, p.pullOptions());
    }
    return skopeo.pullToOci(viaMirror(p), dest, p.pullOptions());
  }

  /** The blob files skopeo wrote, checked against their names (sha256 recomputed). */
  private static List<String> pulledBlobs(Path dest) throws IOException {
    Path blobDir =
        Files.isDirectory(dest.resolve("blobs/sha256")) ? dest.resolve("blobs/sha256") : dest;
    List<String> digests = new ArrayList<>();
    try (Stream<Path> files = Files.list(blobDir)) {
      for (Path file :
          files.filter(f -> HEX_NAME.matcher(f.getFileName().toString()).matches()).toList()) {
        String digest = "sha256:" + file.getFileName();
        assertThat(sha256(file)).as("content of pulled blob " + file).isEqualTo(digest);
        digests.add(digest);
      }
    }
    return digests;
  }

  /**
   * What a complete pull must contain: for an OCI layout, the top manifest (or index), every
   * manifest, config and layer of the image; for a {@code dir:} copy of the schema 2 image, the
   * blobs its manifest names (the manifest itself is {@code manifest.json}).
   */
  private static List<String> expectedBlobs(Pushed p, Path dest) throws IOException {
    if (p.v2s2()) {
      String manifest = Files.readString(dest.resolve("manifest.json"));
      assertThat(Skopeo.sha256(manifest.getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(upstreamDigest(p));
      List<String> named = digestsIn(manifest);
      // skopeo's schema 2 conversion keeps the layer blobs, so they are the OCI image's layers.
      assertThat(named).containsAll(p.image().layerDigests());
      return named;
    }
    Set<String> all = new LinkedHashSet<>();
    all.add(p.image().digest());
    p.image().manifests().forEach(m -> all.add(m.manifest().digest()));
    all.addAll(p.image().blobDigests());
    return List.copyOf(all);
  }

  private static List<String> digestsIn(String json) {
    Matcher m = DIGEST_FIELD.matcher(json);
    List<String> digests = new ArrayList<>();
    while (m.find()) {
      digests.add(m.group(1));
    }
    return digests;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readSlice(Path file, long first, long last) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      ByteBuffer buffer = ByteBuffer.allocate((int) (last - first + 1));
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, first + buffer.position()) < 0) {
          throw new IOException("short file " + file);
        }
      }
      return buffer.array();
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest = OciImages.sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  private static void deleteTree(Path dir) throws IOException {
    OciImages.deleteTree(dir);
  }
}
