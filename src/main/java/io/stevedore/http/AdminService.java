package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.ops.Operator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Maintenance of a running server, for {@code stevedore gc}, {@code verify} and {@code prefetch}:
 * {@code POST /_stevedore/gc}, {@code /verify} and {@code /prefetch} stream their progress as text
 * lines. Only callers on this machine may use them (the command line runs there), until the admin
 * API gets authentication of its own.
 */
final class AdminService implements HttpService {
  private final Operator operator;

  AdminService(Operator operator) {
    this.operator = operator;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/gc", (req, res) -> run(req, res, operator::gc));
    rules.post("/verify", (req, res) -> run(req, res, operator::verify));
    rules.post("/prefetch", this::prefetch);
    rules.post("/import", this::importArchive);
    rules.post("/export", this::export);
  }

  /** Body: the archive, streamed; answers with progress lines. */
  private void importArchive(ServerRequest request, ServerResponse response) throws IOException {
    try (InputStream archive = request.content().inputStream()) {
      run(
          request,
          response,
          progress -> {
            try {
              return operator.importArchive(archive, progress);
            } catch (IOException | RuntimeException e) {
              return null; // the importer reported it as a "failed:" line
            }
          });
    }
  }

  /** Body: one image per line; answers with the archive, streamed. */
  private void export(ServerRequest request, ServerResponse response) throws IOException {
    requireLocal(request);
    List<String> images = lines(request);
    operator.checkExport(images);
    response.header(HeaderNames.CONTENT_TYPE, "application/x-tar");
    try (OutputStream out = response.outputStream()) {
      operator.export(images, out, line -> {});
    }
  }

  private static List<String> lines(ServerRequest request) {
    return request
        .content()
        .as(String.class)
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .toList();
  }

  /** Body: one image per line; {@code ?platform=linux/amd64,linux/arm64} limits indexes. */
  private void prefetch(ServerRequest request, ServerResponse response) throws IOException {
    List<String> images = lines(request);
    Set<String> platforms =
        request.query().contains("platform")
            ? Set.of(request.query().get("platform").split(","))
            : Set.of();
    run(request, response, progress -> operator.prefetch(images, platforms, progress));
  }

  private static void run(
      ServerRequest request, ServerResponse response, Function<Consumer<String>, ?> chore)
      throws IOException {
    requireLocal(request);
    response.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    try (OutputStream out = response.outputStream()) {
      chore.apply(
          line -> {
            try {
              out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
  }

  private static void requireLocal(ServerRequest request) {
    if (!local(request.remotePeer().address())) {
      throw new RegistryException(
          ErrorCode.DENIED, "maintenance is only allowed from this machine");
    }
  }

  private static boolean local(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      InetAddress ip = inet.getAddress();
      return ip != null && ip.isLoopbackAddress();
    }
    return false;
  }
}
