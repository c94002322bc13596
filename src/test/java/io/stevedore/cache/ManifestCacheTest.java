package io.stevedore.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.testing.FakeUpstream;
import io.stevedore.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestCacheTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final Reference.Tag TAG = new Reference.Tag("1.0");
  private static final List<String> ALL = MediaType.MANIFEST_TYPES;
  private static final List<String> OCI_ONLY = List.of(MediaType.OCI_MANIFEST);
  private static final List<String> SINGLE_ONLY =
      List.of(MediaType.OCI_MANIFEST, MediaType.DOCKER_MANIFEST);

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final FakeUpstream upstream = new FakeUpstream("lab");
  private final CacheCounters counters = new CacheCounters();
  private RocksStore store;
  private ManifestCache cache;

  @BeforeEach
  void open() {
    store = RocksStore.open(dir);
    cache = newCache();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private ManifestCache newCache() {
    return new ManifestCache(
        store.manifests(), store.tags(), store.links(), clock, 1 << 20, counters);
  }

  @Test
  void tagWithinFreshness_makesNoUpstreamCall() {
    Digest digest = upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);
    int before = upstream.calls().size();

    clock.advance(Duration.ofMinutes(4));
    ServedManifest served = cache.get(upstream, REPO, TAG, ALL);

    assertThat(served.digest()).isEqualTo(digest);
    assertThat(upstream.calls()).hasSize(before);
  }

  @Test
  void tagPastFreshness_unchanged_costsExactlyOneHead() {
    upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);

    clock.advance(Duration.ofMinutes(6));
    cache.get(upstream, REPO, TAG, ALL);
    cache.get(upstream, REPO, TAG, ALL); // fresh again after the HEAD

    assertThat(upstream.calls()).containsExactly("GET manifest 1.0", "HEAD manifest 1.0");
  }

  @Test
  void tagPastFreshness_changed_fetchesTheNewManifest() {
    upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);
    Digest newer = upstream.tag("1.0", manifest("two"));

    clock.advance(Duration.ofMinutes(6));
    ServedManifest served = cache.get(upstream, REPO, TAG, ALL);

    assertThat(served.digest()).isEqualTo(newer);
    assertThat(new String(served.body(), StandardCharsets.UTF_8)).contains("two");
    assertThat(upstream.calls())
        .containsExactly("GET manifest 1.0", "HEAD manifest 1.0", "GET manifest 1.0");
  }

  @Test
  void tagPastFreshness_upstreamDown_servesStale() {
    Digest digest = upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "upstream lab down"));

    clock.advance(Duration.ofHours(1));
    ServedManifest served = cache.get(upstream, REPO, TAG, ALL);

    assertThat(served.digest()).isEqualTo(digest);
    assertThat(served.stale()).isTrue();
  }

  @Test
  void tagPastFreshness_upstreamSaysDenied_isNotHidden() {
    upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);
    upstream.failWith(new RegistryException(ErrorCode.DENIED, "no"));

    clock.advance(Duration.ofHours(1));

    assertThatThrownBy(() -> cache.get(upstream, REPO, TAG, ALL))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DENIED));
  }

  @Test
  void byDigest_isServedFromTheStoreAfterARestart_withoutUpstream() {
    Digest digest = upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, new Reference.ByDigest(digest), ALL);
    store.close();
    store = RocksStore.open(dir);
    cache = newCache();
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "down"));

    ServedManifest served = cache.get(upstream, REPO, new Reference.ByDigest(digest), ALL);

    assertThat(served.digest()).isEqualTo(digest);
    assertThat(upstream.count("GET")).isEqualTo(1);
  }

  @Test
  void byDigest_wrongBodyFromUpstream_isRejectedAndNotStored() {
    Digest asked = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
    FakeUpstream liar =
        new FakeUpstream("liar") {
          @Override
          public io.stevedore.upstream.FetchedManifest fetchManifest(
              RepositoryName repository, Reference reference, List<String> accept) {
            return new io.stevedore.upstream.FetchedManifest(
                manifest("evil"), MediaType.OCI_MANIFEST, java.util.Optional.empty());
          }
        };

    assertThatThrownBy(() -> cache.get(liar, REPO, new Reference.ByDigest(asked), ALL))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(", not " + asked)
        .hasMessageContaining("nothing was stored");
    assertThat(store.manifests().find(asked)).isEmpty();
  }

  @Test
  void clientsAcceptingDifferentTypes_keepSeparateTagEntries() {
    FakeUpstream negotiating = negotiating();

    ServedManifest index = cache.get(negotiating, REPO, TAG, ALL);
    ServedManifest single = cache.get(negotiating, REPO, TAG, SINGLE_ONLY);
    ServedManifest indexAgain = cache.get(negotiating, REPO, TAG, ALL);

    assertThat(index.mediaType()).isEqualTo(MediaType.OCI_INDEX);
    assertThat(single.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(indexAgain.digest()).isEqualTo(index.digest());
  }

  @Test
  void tagCachedForEveryType_answersAClientAcceptingOne_withoutUpstream() {
    Digest digest = upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "upstream lab down"));

    ServedManifest served = cache.get(upstream, REPO, TAG, OCI_ONLY);

    assertThat(served.digest()).isEqualTo(digest);
    assertThat(served.result()).isEqualTo(CacheResult.HIT);
  }

  @Test
  void tagCachedForOneClient_isServedStaleToAnotherAcceptingItsType() {
    Digest digest = upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, OCI_ONLY);
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "upstream lab down"));
    clock.advance(Duration.ofHours(1));

    for (List<String> other : List.of(ALL, SINGLE_ONLY)) {
      ServedManifest served = cache.get(upstream, REPO, TAG, other);

      assertThat(served.digest()).as("accepting %s", other).isEqualTo(digest);
      assertThat(served.stale()).isTrue();
    }
    assertThatThrownBy(() -> cache.get(upstream, REPO, TAG, List.of(MediaType.DOCKER_MANIFEST)))
        .as("a client that does not take the cached type")
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.status()).isEqualTo(503));
  }

  @Test
  void tagCachedForOneClient_answersAnotherAlikeWithinFreshness_withoutUpstream() {
    FakeUpstream negotiating = negotiating();
    ServedManifest index =
        cache.get(negotiating, REPO, TAG, List.of(MediaType.OCI_MANIFEST, MediaType.OCI_INDEX));

    // An index is what the tag is: every client that takes an index is answered alike.
    ServedManifest served = cache.get(negotiating, REPO, TAG, ALL);

    assertThat(served.digest()).isEqualTo(index.digest());
    assertThat(served.result()).isEqualTo(CacheResult.HIT);
  }

  @Test
  void platformManifestCachedForAClientRefusingIndexes_doesNotAnswerOneTakingThem_whileFresh() {
    FakeUpstream negotiating = negotiating();
    ServedManifest single = cache.get(negotiating, REPO, TAG, SINGLE_ONLY);

    ServedManifest forAll = cache.get(negotiating, REPO, TAG, ALL);

    assertThat(single.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(forAll.mediaType())
        .as("the upstream's answer, not the stand-in")
        .isEqualTo(MediaType.OCI_INDEX);
  }

  @Test
  void missingTag_isAskedOnceWithinTheNegativeTtl_andAgainAfterIt() {
    Reference.Tag missing = new Reference.Tag("nope");
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> cache.get(upstream, REPO, missing, ALL))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
    assertThat(upstream.count("GET manifest nope")).isEqualTo(1);
    assertThat(counters.negativeHits()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(31));
    assertThatThrownBy(() -> cache.get(upstream, REPO, missing, ALL))
        .isInstanceOf(RegistryException.class);
    assertThat(upstream.count("GET manifest nope")).isEqualTo(2);
  }

  @Test
  void missingDigest_isRememberedToo() {
    Reference.ByDigest missing =
        new Reference.ByDigest(Digest.sha256("gone".getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> cache.get(upstream, REPO, missing, ALL))
        .isInstanceOf(RegistryException.class);
    assertThatThrownBy(() -> cache.get(upstream, REPO, missing, ALL))
        .isInstanceOf(RegistryException.class);

    assertThat(upstream.count("GET manifest")).isEqualTo(1);
  }

  @Test
  void tagDeletedUpstream_is404ByDefault() {
    upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);
    upstream.onlyIn("somewhere/else");

    clock.advance(Duration.ofMinutes(6));

    assertThatThrownBy(() -> cache.get(upstream, REPO, TAG, ALL))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void tagDeletedUpstream_isServedStale_whenConfiguredSo() {
    FakeUpstream lenient =
        new FakeUpstream(
            io.stevedore.config.UpstreamConfig.builder(
                    "lab", java.net.URI.create("http://127.0.0.1:9"))
                .staleOn404(true)
                .build());
    Digest digest = lenient.tag("1.0", manifest("one"));
    cache.get(lenient, REPO, TAG, ALL);
    lenient.onlyIn("somewhere/else");

    clock.advance(Duration.ofMinutes(6));
    ServedManifest served = cache.get(lenient, REPO, TAG, ALL);

    assertThat(served.digest()).isEqualTo(digest);
    assertThat(served.stale()).isTrue();
    assertThat(counters.staleServed()).isEqualTo(1);
  }

  @Test
  void manifestCachedForOneRepository_isConfirmedForAnother_orUnknown() {
    Digest digest = upstream.tag("1.0", manifest("one"));
    cache.get(upstream, REPO, TAG, ALL);
    RepositoryName other = RepositoryName.parse("team/other");

    cache.get(upstream, other, new Reference.ByDigest(digest), ALL);
    cache.get(upstream, other, new Reference.ByDigest(digest), ALL);
    assertThat(upstream.count("HEAD manifest")).isEqualTo(1);
    assertThat(upstream.count("GET manifest")).isEqualTo(1);

    upstream.onlyIn(REPO.value());
    assertThatThrownBy(
            () ->
                cache.get(
                    upstream,
                    RepositoryName.parse("team/third"),
                    new Reference.ByDigest(digest),
                    ALL))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_UNKNOWN));
  }

  @Test
  void childManifestsOfACachedIndex_needNoConfirmation() {
    byte[] child = manifest("amd64");
    Digest childDigest = Digest.sha256(child);
    byte[] index =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaType.OCI_INDEX
                + "\",\"manifests\":[{\"mediaType\":\""
                + MediaType.OCI_MANIFEST
                + "\",\"digest\":\""
                + childDigest
                + "\",\"size\":"
                + child.length
                + "}]}")
            .getBytes(StandardCharsets.UTF_8);
    FakeUpstream indexed =
        new FakeUpstream("lab") {
          @Override
          public io.stevedore.upstream.FetchedManifest fetchManifest(
              RepositoryName repository, Reference reference, List<String> accept) {
            super.fetchManifest(repository, reference, accept);
            byte[] body = reference instanceof Reference.Tag ? index : child;
            return new io.stevedore.upstream.FetchedManifest(
                body,
                reference instanceof Reference.Tag ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST,
                java.util.Optional.of(Digest.sha256(body)));
          }
        };
    indexed.tag("2.0", index);
    indexed.tag("child", child);
    RepositoryName first = RepositoryName.parse("team/first");
    cache.get(indexed, first, new Reference.ByDigest(childDigest), ALL);

    cache.get(indexed, REPO, new Reference.Tag("2.0"), ALL);
    cache.get(indexed, REPO, new Reference.ByDigest(childDigest), ALL);

    assertThat(indexed.count("HEAD manifest")).isZero();
  }

  @Test
  void concurrentRequestsForOneUncachedTag_makeOneUpstreamGet() throws Exception {
    upstream.tag("1.0", manifest("one"));
    List<Future<ServedManifest>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 10; i++) {
        results.add(pool.submit(() -> cache.get(upstream, REPO, TAG, ALL)));
      }
      for (Future<ServedManifest> result : results) {
        assertThat(result.get().body()).isEqualTo(manifest("one"));
      }
    }
    assertThat(upstream.count("GET manifest")).isEqualTo(1);
  }

  /**
   * An upstream whose tag 1.0 is an index for clients that take one, and its default platform's
   * manifest for those that do not, as registries answer.
   */
  private static FakeUpstream negotiating() {
    return new FakeUpstream("lab") {
      @Override
      public io.stevedore.upstream.FetchedManifest fetchManifest(
          RepositoryName repository, Reference reference, List<String> accept) {
        boolean index = accept.contains(MediaType.OCI_INDEX);
        byte[] body = manifest(index ? "index" : "amd64");
        return new io.stevedore.upstream.FetchedManifest(
            body,
            index ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST,
            java.util.Optional.of(Digest.sha256(body)));
      }
    };
  }

  static byte[] manifest(String marker) {
    return ("{\"schemaVersion\":2,\"mediaType\":\""
            + MediaType.OCI_MANIFEST
            + "\",\"annotations\":{\"m\":\""
            + marker
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
