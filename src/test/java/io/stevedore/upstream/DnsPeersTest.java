package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Peers from DNS: each address of the name, with the configured scheme and port. */
class DnsPeersTest {
  private final AtomicReference<InetAddress[]> answer = new AtomicReference<>();
  private final DnsPeers peers =
      new DnsPeers(
          URI.create("http://stevedore-headless.mirrors.svc:5000"),
          host -> {
            InetAddress[] addresses = answer.get();
            if (addresses == null) {
              throw new UnknownHostException(host);
            }
            return addresses;
          });

  @Test
  void eachAddress_isAPeer_spelledAsThePeersSpellThemselves() throws Exception {
    answer.set(
        new InetAddress[] {
          InetAddress.getByName("10.0.0.7"),
          InetAddress.getByName("10.0.0.5"),
          InetAddress.getByName("fd00::6")
        });

    peers.refresh();

    assertThat(peers.get())
        .containsExactly(
            URI.create("http://10.0.0.5:5000"),
            URI.create("http://10.0.0.7:5000"),
            URI.create("http://[fd00:0:0:0:0:0:0:6]:5000"));
  }

  @Test
  void aNameThatStopsResolving_keepsThePeersItLastNamed() throws Exception {
    answer.set(new InetAddress[] {InetAddress.getByName("10.0.0.5")});
    peers.refresh();

    answer.set(null);
    peers.refresh();

    assertThat(peers.get()).containsExactly(URI.create("http://10.0.0.5:5000"));
  }

  @Test
  void aPodThatLeaves_leavesThePeers() throws Exception {
    answer.set(
        new InetAddress[] {InetAddress.getByName("10.0.0.5"), InetAddress.getByName("10.0.0.6")});
    peers.refresh();

    answer.set(new InetAddress[] {InetAddress.getByName("10.0.0.5")});
    peers.refresh();

    assertThat(peers.get()).containsExactly(URI.create("http://10.0.0.5:5000"));
  }
}
