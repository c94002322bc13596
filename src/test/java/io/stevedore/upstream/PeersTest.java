package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Digest;
import io.stevedore.testing.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which node owns a digest: rendezvous hashing over the peers that did not fail lately. */
class PeersTest {
  private static final URI A = URI.create("http://10.0.0.1:5000");
  private static final URI B = URI.create("http://10.0.0.2:5000");
  private static final URI C = URI.create("http://10.0.0.3:5000");
  private static final URI D = URI.create("http://10.0.0.4:5000");
  private static final List<Digest> DIGESTS =
      IntStream.range(0, 10_000)
          .mapToObj(i -> Digest.sha256(("blob " + i).getBytes(StandardCharsets.UTF_8)))
          .toList();

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));

  @Test
  void owners_spreadEvenly_overThePeers() {
    Map<URI, Integer> owned =
        owners(List.of(A, B, C)).values().stream()
            .collect(HashMap::new, (m, u) -> m.merge(u, 1, Integer::sum), Map::putAll);

    assertThat(owned).containsOnlyKeys(A, B, C);
    owned.values().forEach(count -> assertThat(count).isBetween(3000, 3700));
  }

  @Test
  void aPeerJoining_takesOnlyItsShare_fromEachOfTheOthers() {
    Map<Digest, URI> before = owners(List.of(A, B, C));
    Map<Digest, URI> after = owners(List.of(A, B, C, D));

    List<Digest> moved = DIGESTS.stream().filter(d -> !before.get(d).equals(after.get(d))).toList();
    assertThat(moved).allSatisfy(d -> assertThat(after.get(d)).isEqualTo(D));
    assertThat(moved.size()).isBetween(2200, 2800); // a quarter of 10,000
  }

  @Test
  void aPeerLeaving_movesOnlyWhatItOwned() {
    Map<Digest, URI> before = owners(List.of(A, B, C, D));
    Map<Digest, URI> after = owners(List.of(A, B, C));

    for (Digest digest : DIGESTS) {
      if (!before.get(digest).equals(D)) {
        assertThat(after.get(digest)).as("owner of %s", digest).isEqualTo(before.get(digest));
      }
    }
  }

  @Test
  void everyNode_agreesOnTheOwner_whateverOrderItListsThePeersIn() {
    for (Digest digest : DIGESTS.subList(0, 200)) {
      assertThat(Rendezvous.owner(List.of(C, A, B), digest))
          .isEqualTo(Rendezvous.owner(List.of(A, B, C), digest));
    }
  }

  @Test
  void ownerOf_isEmpty_forWhatThisNodeOwns_andNamesThePeerOtherwise() {
    Peers peers = new Peers(A, () -> List.of(A, B, C), Duration.ofSeconds(10), clock);

    for (Digest digest : DIGESTS.subList(0, 200)) {
      URI owner = Rendezvous.owner(List.of(A, B, C), digest);
      assertThat(peers.ownerOf(digest))
          .isEqualTo(owner.equals(A) ? Optional.empty() : Optional.of(owner));
    }
  }

  @Test
  void aFailedPeer_isLeftOutForTheBackoff_andItsDigestsGoToTheNextOwner() {
    Peers peers = new Peers(A, () -> List.of(A, B, C), Duration.ofSeconds(10), clock);
    Digest ownedByB = ownedBy(B, List.of(A, B, C));

    peers.failed(B);

    assertThat(peers.ownerOf(ownedByB))
        .isEqualTo(
            Optional.of(Rendezvous.owner(List.of(A, C), ownedByB)).filter(u -> !u.equals(A)));
    assertThat(peers.health()).containsEntry(B.toString(), false).containsEntry(C.toString(), true);
    clock.advance(Duration.ofSeconds(10));
    assertThat(peers.ownerOf(ownedByB)).contains(B);
    assertThat(peers.health()).containsEntry(B.toString(), true);
  }

  @Test
  void aPeerThatAnswers_isAskedAgainAtOnce() {
    Peers peers = new Peers(A, () -> List.of(A, B, C), Duration.ofSeconds(10), clock);
    Digest ownedByB = ownedBy(B, List.of(A, B, C));
    peers.failed(B);

    peers.answered(B);

    assertThat(peers.ownerOf(ownedByB)).contains(B);
  }

  @Test
  void thisNode_isACandidate_evenWhenThePeerListLacksIt() {
    Peers peers = new Peers(A, () -> List.of(B), Duration.ofSeconds(10), clock);

    assertThat(peers.ownerOf(ownedBy(A, List.of(A, B)))).isEmpty();
    assertThat(peers.health()).containsOnlyKeys(B.toString());
  }

  private static Map<Digest, URI> owners(List<URI> candidates) {
    Map<Digest, URI> owners = new HashMap<>();
    DIGESTS.forEach(d -> owners.put(d, Rendezvous.owner(candidates, d)));
    return owners;
  }

  private static Digest ownedBy(URI owner, List<URI> candidates) {
    List<Digest> owned = new ArrayList<>();
    DIGESTS.stream().filter(d -> Rendezvous.owner(candidates, d).equals(owner)).forEach(owned::add);
    return owned.getFirst();
  }
}
