package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReadBufferedSocketsTest {
  @Test
  void okiosSmallReads_getEveryByte_throughOneSharedBuffer() throws Exception {
    byte[] sent = new byte[1 << 20];
    new Random(7).nextBytes(sent);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> sending =
          CompletableFuture.runAsync(
              () -> {
                try (Socket peer = server.accept();
                    OutputStream out = peer.getOutputStream()) {
                  out.write(sent);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (Socket socket =
          ReadBufferedSockets.INSTANCE.createSocket(
              InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        InputStream in = socket.getInputStream();
        assertThat(socket.getInputStream()).as("one stream, one buffer").isSameAs(in);
        assertThat(in).isInstanceOf(BufferedInputStream.class);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] segment = new byte[8192]; // what okio asks for
        for (int n = in.read(segment); n >= 0; n = in.read(segment)) {
          received.write(segment, 0, n);
        }
        assertThat(received.toByteArray()).isEqualTo(sent);
      }
      sending.join();
    }
  }
}
