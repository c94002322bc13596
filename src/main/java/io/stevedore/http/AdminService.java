package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.ops.Operator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The operator's chores on a running server, for {@code stevedore gc}, {@code verify}, {@code
 * prefetch}, {@code export} and {@code import}: {@code POST /_stevedore/<chore>} streams progress
 * as text lines (export streams the archive). Served on the admin listener only, to whom {@link
 * AdminAccess} lets in.
 */
final class AdminService implements HttpService {
  private final Operator operator;
  private final AdminAccess access;

  AdminService(Operator operator, AdminAccess access) {
    this.operator = operator;
    this.access = access;
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
    access.require(request);
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

  private void run(
      ServerRequest request, ServerResponse response, Function<Consumer<String>, ?> chore)
      throws IOException {
    access.require(request);
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
}
