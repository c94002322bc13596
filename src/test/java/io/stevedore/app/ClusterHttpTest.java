package io.stevedore.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.config.ClusterConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.testing.MirrorClient;
import io.stevedore.testing.TestMirrors;
import io.stevedore.upstream.PeerHop;
import io.stevedore.upstream.Rendezvous;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Owner fill between in-process nodes over real HTTP: a node that misses content addressed by
 * digest asks the digest's owner, so the upstream is asked once; an owner that is down, slow or
 * refuses the node's secret is skipped; a hop is served from the upstream, never passed on.
 */
class ClusterHttpTest {
  private static final String REPO = "team/app";
  private static final String SECRET = "cluster-secret-for-tests";

  @TempDir Path dir;

  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final List<AutoCloseable> running = new ArrayList<>();
  private final Random random = new Random(18);
  private URI a;
  private URI b;

  @BeforeEach
  void start() throws IOException {
    registry.start();
    a = freeUrl();
    b = freeUrl();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable node : running.reversed()) {
      node.close();
    }
    registry.stop();
  }

  @Test
  void aMissOnANode_isFilledFromItsOwner_andTheClusterFetchesTheBlobOnce() throws Exception {
    byte[] blob = randomBytes(3 * 1024 * 1024);
    Digest digest = blobOwnedBy(b, List.of(a, b), blob);
    MirrorClient onA = node("a", a, List.of(a, b), SECRET);
    MirrorClient onB = node("b", b, List.of(a, b), SECRET);

    HttpResponse<byte[]> fromA = onA.bytes("GET", blobPath(digest), null);
    HttpResponse<byte[]> fromB = onB.bytes("GET", blobPath(digest), null);

    assertThat(fromA.statusCode()).isEqualTo(200);
    assertThat(Digest.sha256(fromA.body())).isEqualTo(digest);
    assertThat(Digest.sha256(fromB.body())).isEqualTo(digest);
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest))))).hasSize(1);
    assertThat(
            sample(
                onA, "stevedore_cluster_peer_fetches_total", "peer", b.toString(), "kind", "blob"))
        .isEqualTo(1);
    assertThat(
            sample(onB, "stevedore_cluster_owner_requests_total", "kind", "blob", "result", "miss"))
        .isEqualTo(1);
    assertThat(sample(onB, "stevedore_cache_requests_total", "kind", "blob", "result", "hit"))
        .as("B's own client, after it filled A")
        .isEqualTo(1);
  }

  @Test
  void aRangeResume_isAskedOfTheOwner_andAnsweredFromItsCache() throws Exception {
    byte[] blob = randomBytes(2 * 1024 * 1024);
    Digest digest = blobOwnedBy(b, List.of(a, b), blob);
    MirrorClient onA = node("a", a, List.of(a, b), SECRET);
    MirrorClient onB = node("b", b, List.of(a, b), SECRET);
    onB.bytes("GET", blobPath(digest), null);

    HttpResponse<byte[]> tail = onA.bytes("GET", blobPath(digest), "bytes=1000000-");

    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body()).hasSize(blob.length - 1_000_000);
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest))))).hasSize(1);
    assertThat(
            sample(onB, "stevedore_cluster_owner_requests_total", "kind", "blob", "result", "hit"))
        .isEqualTo(1);
  }

  @Test
  void aManifestByDigest_comesFromItsOwnerToo() throws Exception {
    byte[] manifest = manifestOwnedBy(b, List.of(a, b));
    Digest digest = Digest.sha256(manifest);
    String path = "/v2/" + REPO + "/manifests/" + digest;
    MirrorClient onA = node("a", a, List.of(a, b), SECRET);
    MirrorClient onB = node("b", b, List.of(a, b), SECRET);

    HttpResponse<byte[]> fromA = onA.bytes("GET", path, null);
    onB.bytes("GET", path, null);

    assertThat(fromA.statusCode()).isEqualTo(200);
    assertThat(fromA.body()).isEqualTo(manifest);
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(path)))).hasSize(1);
    assertThat(sample(onA, "stevedore_cluster_peer_fetches_total", "kind", "manifest"))
        .isEqualTo(1);
  }

  @Test
  void aBlobThisNodeOwns_isFetchedFromTheUpstream_withoutAskingAPeer() throws Exception {
    byte[] blob = randomBytes(100_000);
    Digest digest = blobOwnedBy(a, List.of(a, b), blob);
    MirrorClient onA = node("a", a, List.of(a, b), SECRET);
    MirrorClient onB = node("b", b, List.of(a, b), SECRET);

    assertThat(onA.bytes("GET", blobPath(digest), null).statusCode()).isEqualTo(200);

    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest))))).hasSize(1);
    assertThat(sample(onB, "stevedore_cluster_owner_requests_total")).isZero();
  }

  @Test
  void anOwnerThatIsDown_isSkipped_andTheNodeFillsFromTheUpstream() throws Exception {
    // Nothing listens at b.
    List<Digest> ownedByB = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ownedByB.add(blobOwnedBy(b, List.of(a, b), randomBytes(100_000)));
    }
    MirrorClient onA = node("a", a, List.of(a, b), SECRET);

    for (Digest digest : ownedByB) {
      HttpResponse<byte[]> response = onA.bytes("GET", blobPath(digest), null);
      assertThat(Digest.sha256(response.body())).isEqualTo(digest);
    }

    assertThat(sample(onA, "stevedore_cluster_peer_fallbacks_total", "reason", "unreachable"))
        .as("the second blob is not asked of the peer that failed just now")
        .isEqualTo(1);
    assertThat(sample(onA, "stevedore_cluster_peer_up", "peer", b.toString())).isZero();
  }

  @Test
  void anOwnerSlowToAnswer_isGivenUpOn_afterThePeerTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread.ofVirtual().start(() -> acceptForever(silent, accepted));
      URI silentOwner = URI.create("http://127.0.0.1:" + silent.getLocalPort());
      Digest digest = blobOwnedBy(silentOwner, List.of(a, silentOwner), randomBytes(100_000));
      MirrorClient onA = node("a", a, List.of(a, silentOwner), SECRET, Duration.ofMillis(300));

      long start = System.nanoTime();
      HttpResponse<byte[]> response = onA.bytes("GET", blobPath(digest), null);

      assertThat(Digest.sha256(response.body())).isEqualTo(digest);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("given up on well before the 10 s read timeout")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(sample(onA, "stevedore_cluster_peer_fallbacks_total", "reason", "timeout"))
          .isEqualTo(1);
      synchronized (accepted) {
        assertThat(accepted).as("the owner was asked").hasSize(1);
      }
    }
  }

  @Test
  void aNodeWithAnotherSecret_isRefused_andFillsFromTheUpstreamItself() throws Exception {
    byte[] blob = randomBytes(100_000);
    Digest digest = blobOwnedBy(b, List.of(a, b), blob);
    MirrorClient onA = node("a", a, List.of(a, b), "not-the-cluster-secret");
    MirrorClient onB = node("b", b, List.of(a, b), SECRET);

    HttpResponse<byte[]> response = onA.bytes("GET", blobPath(digest), null);

    assertThat(Digest.sha256(response.body())).isEqualTo(digest);
    assertThat(sample(onA, "stevedore_cluster_peer_fallbacks_total", "reason", "refused"))
        .isEqualTo(1);
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest)))))
        .as("only A's own fetch: B refused before it looked at its cache")
        .hasSize(1);
    assertThat(sample(onB, "stevedore_fills_total")).isZero();
  }

  @Test
  void aHopWithABadProof_getsA401WithTheOciErrorJson() throws Exception {
    node("b", b, List.of(b), SECRET);
    String path = blobPath(Digest.sha256(new byte[] {1}));

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(b.resolve(path))
                    .header(PeerHop.UPSTREAM_HEADER, "lab")
                    .header(PeerHop.PROOF_HEADER, "00".repeat(32))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).startsWith("{\"errors\":[{\"code\":\"UNAUTHORIZED\"");
    assertThat(response.body()).contains("cluster secret");
    assertThat(registry.getAllServeEvents()).isEmpty();
  }

  @Test
  void aHop_isServedFromTheUpstream_neverPassedOnToTheOwnerTheServingNodeSees() throws Exception {
    try (ServerSocket elsewhere =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread.ofVirtual().start(() -> acceptForever(elsewhere, accepted));
      URI third = URI.create("http://127.0.0.1:" + elsewhere.getLocalPort());
      // A sees B as the owner; B, which lists a third peer instead of A, sees that one.
      Digest digest = null;
      byte[] blob = null;
      while (digest == null) {
        blob = randomBytes(50_000);
        Digest candidate = Digest.sha256(blob);
        if (Rendezvous.owner(List.of(a, b), candidate).equals(b)
            && Rendezvous.owner(List.of(third, b), candidate).equals(third)) {
          digest = candidate;
        }
      }
      stubBlob(digest, blob);
      MirrorClient onA = node("a", a, List.of(a, b), SECRET);
      node("b", b, List.of(third, b), SECRET);

      HttpResponse<byte[]> response = onA.bytes("GET", blobPath(digest), null);

      assertThat(Digest.sha256(response.body())).isEqualTo(digest);
      assertThat(sample(onA, "stevedore_cluster_peer_fetches_total", "kind", "blob")).isEqualTo(1);
      synchronized (accepted) {
        assertThat(accepted).as("B never asked the third peer").isEmpty();
      }
    }
  }

  private MirrorClient node(String name, URI self, List<URI> peers, String secret) {
    return node(name, self, peers, secret, Duration.ofSeconds(5));
  }

  private MirrorClient node(
      String name, URI self, List<URI> peers, String secret, Duration peerTimeout) {
    ClusterConfig cluster =
        new ClusterConfig(
            Optional.of(self),
            peers,
            Optional.empty(),
            Duration.ofSeconds(10),
            Optional.of(secret),
            peerTimeout,
            Duration.ofSeconds(30));
    Stevedore node =
        TestMirrors.startNode(
            dir.resolve(name),
            self.getPort(),
            URI.create("http://127.0.0.1:" + registry.port()),
            cluster,
            Clock.systemUTC());
    running.add(node);
    return new MirrorClient(node.port());
  }

  /** A blob the registry serves, chosen so that {@code owner} owns it among {@code peers}. */
  private Digest blobOwnedBy(URI owner, List<URI> peers, byte[] content) {
    byte[] blob = content;
    while (!Rendezvous.owner(peers, Digest.sha256(blob)).equals(owner)) {
      blob = randomBytes(content.length);
    }
    Digest digest = Digest.sha256(blob);
    stubBlob(digest, blob);
    return digest;
  }

  private void stubBlob(Digest digest, byte[] blob) {
    registry.stubFor(get(urlPathEqualTo(blobPath(digest))).willReturn(aResponse().withBody(blob)));
    registry.stubFor(
        head(urlPathEqualTo(blobPath(digest)))
            .willReturn(aResponse().withHeader("Content-Length", String.valueOf(blob.length))));
  }

  private byte[] manifestOwnedBy(URI owner, List<URI> peers) {
    while (true) {
      String config = "sha256:" + "%064x".formatted(random.nextLong() & Long.MAX_VALUE);
      byte[] manifest =
          ("{\"schemaVersion\":2,\"mediaType\":\""
                  + MediaType.OCI_MANIFEST
                  + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                  + "\"digest\":\""
                  + config
                  + "\",\"size\":2},\"layers\":[]}")
              .getBytes(StandardCharsets.UTF_8);
      Digest digest = Digest.sha256(manifest);
      if (Rendezvous.owner(peers, digest).equals(owner)) {
        registry.stubFor(
            get(urlPathEqualTo("/v2/" + REPO + "/manifests/" + digest))
                .willReturn(
                    aResponse()
                        .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                        .withHeader("Docker-Content-Digest", digest.toString())
                        .withBody(manifest)));
        return manifest;
      }
    }
  }

  /**
   * The sum of a metric's samples, as /metrics shows them, whose labels include {@code labels}
   * (name, value, name, value...).
   */
  private static long sample(MirrorClient node, String name, String... labels) throws Exception {
    String text = node.send("GET", "/metrics").body();
    Matcher m =
        Pattern.compile("^" + name + "(\\{([^}]*)\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(text);
    double total = 0;
    while (m.find()) {
      String found = m.group(2) == null ? "" : m.group(2);
      boolean matches = true;
      for (int i = 0; i < labels.length; i += 2) {
        matches &= found.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (matches) {
        total += Double.parseDouble(m.group(3));
      }
    }
    return Math.round(total);
  }

  private static void acceptForever(ServerSocket server, List<Socket> accepted) {
    try {
      while (true) {
        Socket socket = server.accept(); // held open, never answered
        synchronized (accepted) {
          accepted.add(socket);
        }
      }
    } catch (IOException e) {
      // closed with the test
    }
  }

  private static URI freeUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  private static String blobPath(Digest digest) {
    return "/v2/" + REPO + "/blobs/" + digest;
  }

  private byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }
}
