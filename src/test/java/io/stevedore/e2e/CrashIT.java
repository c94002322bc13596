package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Digest;
import io.stevedore.store.rocks.StoreAccess;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Invariant 7 with a real process: the mirror fills a 100 MB layer from a real registry and is
 * killed with {@code kill -9} at chosen points of the fill, then restarted on the same data
 * directory (every round, so leftovers of earlier crashes must be reclaimed too). After each
 * restart the blob is either refetched (exactly one new upstream GET) or was committed before the
 * kill (no new GET), and either way its body hashes to its digest and HEAD tells its size.
 *
 * <p>Kill points come from observed progress, not from sleeps: the bytes a throttling relay between
 * mirror and registry has forwarded (the relay kills the mirror before forwarding more), or the
 * bytes the client has received through the mirror. Between rounds the test deletes the blob from
 * the killed mirror's store (as eviction will), compacts, and records the directory's size.
 */
class CrashIT {
  private static final long RELAY_RATE = 100L * 1000 * 1000; // bytes/s: a 100 MB fill takes ~1 s

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static ThrottledRelay relay;
  private static StevedoreProcess mirror;
  private static OciImage.Blob layer;
  private static String path;

  /** Where to kill: after the relay forwarded, or the client received, a share of the blob. */
  private record KillPoint(String name, Side side, double share, boolean clientLeavesEarly) {
    enum Side {
      RELAYED,
      RECEIVED
    }

    static KillPoint relayed(double share) {
      return new KillPoint("relayed " + percent(share), Side.RELAYED, share, false);
    }

    static KillPoint received(double share) {
      return new KillPoint("client got " + percent(share), Side.RECEIVED, share, false);
    }

    private static String percent(double share) {
      return Math.round(share * 100) + "%";
    }

    /** Committed for sure (the mirror hands out a blob's last bytes only after commit). */
    boolean committedBeforeKill() {
      return side == Side.RECEIVED && share >= 1.0;
    }

    /** Not committed for sure: the mirror had not got every byte from upstream yet. */
    boolean uncommittedAtKill() {
      return side == Side.RELAYED && share < 0.99;
    }
  }

  private static final List<KillPoint> KILL_POINTS =
      List.of(
          KillPoint.relayed(0.02),
          KillPoint.relayed(0.25),
          KillPoint.relayed(0.50),
          KillPoint.relayed(0.75),
          KillPoint.relayed(0.95),
          // Every byte forwarded: the mirror is hashing, committing, or done.
          KillPoint.relayed(1.0),
          KillPoint.received(0.50),
          KillPoint.received(0.99),
          // The client has the last byte: the blob was committed (its commit window is over).
          KillPoint.received(1.0),
          // The client goes away at 10%; the fill goes on without it (invariant 3) until the kill.
          new KillPoint("client left at 10%, relayed 60%", KillPoint.Side.RELAYED, 0.60, true));

  @BeforeAll
  static void start() throws IOException {
    registry = lab.registry();
    OciImage big = OciImages.shared().big();
    lab.push(big, "e2e/big:3.0");
    layer = big.manifests().get(0).layers().get(0).blob();
    path = "/v2/e2e/big/blobs/" + layer.digest();
    relay = lab.own(new ThrottledRelay(registry.url()));
    mirror =
        lab.mirror(
            "stevedore",
            config -> config.upstream(MirrorUpstream.of("lab", relay.url()).asDefault()));
  }

  @Test
  void killMinus9_duringA100MbFill_restartServesOnlyTheCompleteBlob() throws Exception {
    assertThat(layer.size()).isGreaterThanOrEqualTo(100L * 1024 * 1024);
    List<String> report = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    List<Long> withBlob = new ArrayList<>();
    List<Long> withoutBlob = new ArrayList<>();
    int committedBeforeKill = 0;

    for (KillPoint point : KILL_POINTS) {
      mirror.start();
      RegistryProcess.Mark beforeKill = registry.mark();
      Outcome first = crashDuringFill(point);
      if (first.cleanEnd() && !first.complete()) {
        wrong.add(point.name() + ": a clean end of a wrong body before the kill: " + first);
      }
      // The fill that the kill broke off must be in the upstream's log before counting anew.
      awaitBlobGets(beforeKill, 1);

      mirror.start();
      RegistryProcess.Mark afterRestart = registry.mark();
      Outcome second = get(null, -1);
      if (!second.complete()) {
        wrong.add(point.name() + ": after restart " + second);
      }
      long head = headSize();
      long upstreamGets = blobGetsSince(afterRestart);
      report.add(
          "%-32s before kill: %-28s after restart: %s, upstream GETs %d, HEAD size %d"
              .formatted(
                  point.name(), first, second.complete() ? "ok" : second, upstreamGets, head));
      assertThat(head).as("HEAD size after %s", point.name()).isEqualTo(layer.size());
      assertThat(upstreamGets).as("upstream GETs after %s", point.name()).isBetween(0L, 1L);
      if (point.committedBeforeKill()) {
        assertThat(upstreamGets).as("refetches of a committed blob (%s)", point.name()).isZero();
      }
      if (point.uncommittedAtKill()) {
        assertThat(upstreamGets).as("refetches of an unfinished blob (%s)", point.name()).isOne();
      }
      if (upstreamGets == 0) {
        committedBeforeKill++;
      }

      mirror.kill(); // one more crash, at rest this time
      Path data = mirror.dataDir();
      StoreAccess.Sizes sizes =
          StoreAccess.compactDeleteCompact(data, Digest.parse(layer.digest()));
      withBlob.add(sizes.withBlob());
      withoutBlob.add(sizes.withoutBlob());
      report.add(
          "  files >= 1 MB after deleting the blob: " + StoreAccess.largeFiles(data, 1 << 20));
    }

    String summary =
        "%d rounds, %d wrong bodies, %d committed before the kill; data dir (MB) compacted with the blob %s, after deleting it %s%n%s"
            .formatted(
                KILL_POINTS.size(),
                wrong.size(),
                committedBeforeKill,
                mb(withBlob),
                mb(withoutBlob),
                String.join("\n", report));
    System.out.println(summary);
    assertThat(wrong).as(summary).isEmpty();
    assertThat(KILL_POINTS).hasSizeGreaterThanOrEqualTo(10);
    // Orphaned chunks are reclaimed: the directory does not grow round over round.
    assertThat(withBlob).as(summary).allMatch(size -> size < 3 * layer.size());
    assertThat(withoutBlob).as(summary).allMatch(size -> size < layer.size() / 2);
  }

  /** What a client got: bytes, whether the body ended cleanly, and whether it hashed right. */
  private record Outcome(long bytes, boolean cleanEnd, boolean complete, String error) {
    @Override
    public String toString() {
      return bytes / (1024 * 1024)
          + " MiB, "
          + (complete ? "complete" : cleanEnd ? "CLEAN END, WRONG" : "cut off")
          + (error == null ? "" : " (" + error + ")");
    }
  }

  /** Starts a GET through the mirror and kills the mirror at {@code point}; returns what it got. */
  private Outcome crashDuringFill(KillPoint point) throws Exception {
    CountDownLatch killed = new CountDownLatch(1);
    Runnable kill =
        () -> {
          mirror.kill();
          killed.countDown();
        };
    relay.rate(RELAY_RATE);
    long killAt = (long) (point.share() * layer.size());
    CompletableFuture<Outcome> client;
    if (point.side() == KillPoint.Side.RELAYED) {
      relay.at(relay.relayed() + Math.max(1, killAt), kill);
      long leaveAt = point.clientLeavesEarly() ? layer.size() / 10 : -1;
      client = CompletableFuture.supplyAsync(() -> get(null, leaveAt));
    } else {
      client = CompletableFuture.supplyAsync(() -> get(kill, killAt));
    }
    try {
      assertThat(killed.await(2, TimeUnit.MINUTES)).as("kill at " + point.name()).isTrue();
      return client.get(2, TimeUnit.MINUTES);
    } finally {
      relay.at(Long.MAX_VALUE, () -> {});
      relay.rate(0);
    }
  }

  /**
   * GETs the blob through the mirror, hashing as it streams. At {@code at} bytes received it runs
   * {@code action}, or (no action) stops reading and closes the connection.
   */
  private static Outcome get(Runnable action, long at) {
    HttpRequest request =
        HttpRequest.newBuilder(mirror.url().resolve(path)).timeout(Duration.ofMinutes(2)).build();
    long received = 0;
    try (HttpClient client = http()) {
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        response.body().close();
        return new Outcome(0, false, false, "status " + response.statusCode());
      }
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[256 * 1024];
      boolean acted = false;
      try (InputStream body = response.body()) {
        while (true) {
          if (!acted && at >= 0 && received >= at) {
            acted = true;
            if (action == null) {
              return new Outcome(received, false, false, "client left");
            }
            action.run();
          }
          int limit =
              (int)
                  (at > received && !acted
                      ? Math.min(buffer.length, at - received)
                      : buffer.length);
          int read = body.read(buffer, 0, limit);
          if (read < 0) {
            break;
          }
          sha256.update(buffer, 0, read);
          received += read;
        }
      }
      String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());
      return new Outcome(
          received, true, received == layer.size() && digest.equals(layer.digest()), null);
    } catch (IOException e) {
      return new Outcome(received, false, false, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static long headSize() throws Exception {
    try (HttpClient client = http()) {
      HttpResponse<Void> response =
          client.send(
              HttpRequest.newBuilder(mirror.url().resolve(path))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.headers().firstValueAsLong("Content-Length").orElse(-1);
    }
  }

  private static HttpClient http() {
    // A new client each time: no pooled connection to a killed mirror.
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static long blobGetsSince(RegistryProcess.Mark mark) {
    return registry.requestsSince(mark).stream().filter(e -> e.matches("GET", path)).count();
  }

  /** Waits until the registry logged {@code count} GETs of the blob since {@code mark}. */
  private static void awaitBlobGets(RegistryProcess.Mark mark, long count) {
    Daemons.await(
        count + " upstream GET(s) of the blob in the access log",
        Duration.ofSeconds(30),
        () -> true,
        registry::logTail,
        () -> blobGetsSince(mark) >= count);
  }

  private static String mb(List<Long> sizes) {
    return sizes.stream().map(s -> String.valueOf(s / (1024 * 1024))).toList().toString();
  }
}
