package io.stevedore.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.stevedore.observe.RequestObserver;
import io.stevedore.observe.RequestRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Times every request and, once its answer is sent, tells the observers (access log, metrics) what
 * it was and how it went. Reads no header, so no credential reaches them.
 */
final class ObservingFilter implements Filter {
  private final List<RequestObserver> observers;
  private final Clock clock;

  ObservingFilter(List<RequestObserver> observers, Clock clock) {
    this.observers = List.copyOf(observers);
    this.clock = clock;
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    long start = System.nanoTime();
    String path = request.path().path();
    RequestNotes notes = new RequestNotes(kind(path));
    try {
      ScopedValue.where(RequestNotes.CURRENT, notes).run(chain::proceed);
    } finally {
      RequestRecord record =
          new RequestRecord(
              clock.instant(),
              request.prologue().method().text(),
              notes.route(),
              path,
              request.query().contains("ns") ? request.query().get("ns") : "",
              response.status().code(),
              response.bytesWritten(),
              System.nanoTime() - start,
              notes.cache(),
              notes.upstream(),
              notes.peerUpstream().isPresent(),
              client(request));
      observers.forEach(observer -> observer.answered(record));
    }
  }

  /** The kind of a request its handler does not name: a bounded set, fit for a metric label. */
  private static String kind(String path) {
    if (path.startsWith("/v2")) {
      return "registry";
    }
    if (path.startsWith("/_stevedore")) {
      return "admin";
    }
    return switch (path) {
      case "/metrics" -> "metrics";
      case "/healthz", "/readyz" -> "health";
      case "/token" -> "token";
      default -> "other";
    };
  }

  private static Optional<InetAddress> client(RoutingRequest request) {
    return request.remotePeer().address() instanceof InetSocketAddress inet
        ? Optional.ofNullable(inet.getAddress())
        : Optional.empty();
  }
}
