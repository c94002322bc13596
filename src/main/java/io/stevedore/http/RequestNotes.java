package io.stevedore.http;

import io.helidon.webserver.http.ServerRequest;
import io.stevedore.cache.CacheResult;

/**
 * What a handler learned about its request that the access log and metrics want: what kind of
 * request it was, where it was routed, how the cache answered. Registered in each request's context
 * by {@link ObservingFilter}; handlers fill it in.
 */
final class RequestNotes {
  private volatile String route;
  private volatile String upstream = "";
  private volatile String cache = "";

  RequestNotes(String route) {
    this.route = route;
  }

  /** The notes of {@code request}; a detached one when nothing observes it (tests). */
  static RequestNotes of(ServerRequest request) {
    return request.context().get(RequestNotes.class).orElseGet(() -> new RequestNotes("other"));
  }

  void route(String kind) {
    this.route = kind;
  }

  void upstream(String name) {
    this.upstream = name;
  }

  void cache(CacheResult result) {
    this.cache = result.label();
  }

  String route() {
    return route;
  }

  String upstream() {
    return upstream;
  }

  String cache() {
    return cache;
  }
}
