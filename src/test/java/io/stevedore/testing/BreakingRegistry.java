package io.stevedore.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry that serves one blob and cuts the connection of its first answer after a given number
 * of bytes, as a flaky upstream or a reset load balancer would. Ranged requests get 206. It records
 * the Range header of every blob GET.
 */
public final class BreakingRegistry implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer server;
  private final byte[] blob;
  private final Digest digest;
  private final long breakAfter;
  private final List<String> ranges = new CopyOnWriteArrayList<>();

  public BreakingRegistry(byte[] blob, long breakAfter) throws IOException {
    this.blob = blob;
    this.digest = Digest.sha256(blob);
    this.breakAfter = breakAfter;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v2/", this::handle);
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public Digest digest() {
    return digest;
  }

  /** The Range header of each blob GET, {@code "none"} where there was none. */
  public List<String> ranges() {
    return List.copyOf(ranges);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String range = exchange.getRequestHeaders().getFirst("Range");
    ranges.add(range == null ? "none" : range);
    int start = 0;
    if (range != null) {
      Matcher m = RANGE.matcher(range);
      if (m.matches()) {
        start = Integer.parseInt(m.group(1));
        exchange
            .getResponseHeaders()
            .add("Content-Range", "bytes " + start + "-" + (blob.length - 1) + "/" + blob.length);
      }
    }
    exchange.sendResponseHeaders(start > 0 ? 206 : 200, blob.length - start);
    OutputStream body = exchange.getResponseBody();
    if (ranges.size() == 1) {
      body.write(blob, 0, (int) breakAfter);
      body.flush();
      // Closing with bytes missing makes the server drop the connection mid-body.
      exchange.close();
      return;
    }
    body.write(blob, start, blob.length - start);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
