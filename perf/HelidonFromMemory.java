import io.helidon.webserver.WebServer;
import java.io.OutputStream;
import java.util.Random;

/**
 * A limit for perf/run.sh's warm-blob: Helidon, built as Stevedore builds its server, sending a
 * blob's worth of bytes from one array in memory, 1 MiB per write, as Stevedore writes its chunks.
 * No file is read, no store is asked: no Helidon-based mirror can serve a cached blob faster on
 * the same machine. Run from the repo root with Stevedore's libraries on the class path:
 *
 * <pre>java -cp 'target/libs/*' perf/HelidonFromMemory.java PORT BYTES</pre>
 *
 * GET /v2/ answers 200; GET of any other path sends BYTES pseudo-random bytes.
 */
public class HelidonFromMemory {
  private static final int CHUNK = 1 << 20;

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    long bytes = Long.parseLong(args[1]);
    byte[] chunk = new byte[CHUNK];
    new Random(1).nextBytes(chunk);
    WebServer server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(port)
            .useNio(false) // as Stevedore: see io.stevedore.Stevedore
            .routing(
                routing ->
                    routing
                        .get("/v2/", (request, response) -> response.send("{}"))
                        .get(
                            "/*",
                            (request, response) -> {
                              response.contentLength(bytes);
                              try (OutputStream out = response.outputStream()) {
                                for (long sent = 0; sent < bytes; sent += CHUNK) {
                                  out.write(chunk, 0, (int) Math.min(CHUNK, bytes - sent));
                                }
                              }
                            }))
            .build()
            .start();
    if (!server.isRunning()) {
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port);
    }
  }
}
